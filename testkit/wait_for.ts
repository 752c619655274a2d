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

/**
 * Resolves `promise`, or rejects after `ms` saying what did not happen, so a test that would hang fails.
 * @param promise what is awaited
 * @param ms the time limit
 * @param what names the awaited outcome in the timeout error
 */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
