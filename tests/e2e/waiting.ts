/**
 * Bounded waiting for the end-to-end tests: a promise within a time limit, a polled condition, a pause.
 *
 * @module
 */

export { within } from "../../testkit/wait_for.ts";

/** Waits until `condition()` holds, polling; fails after `timeoutMs` with `what`. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Sleeps `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
