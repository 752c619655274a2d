/**
 * Polls `condition` every 25 ms until it holds.
 * @param condition checked until it returns true
 * @param what names the awaited state in the timeout error
 * @param timeoutMs how long to wait at most
 * @throws {Error} when the time runs out
 */
export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
