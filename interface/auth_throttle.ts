/** Options of {@link AuthThrottle}. */
export interface AuthThrottleOptions {
  maxFailures: number;
  windowMs: number;
  now: () => number;
  /** How many addresses are tracked at most; the stalest are forgotten first. */
  maxAddresses?: number;
}

/**
 * Counts failed logins per client address in a sliding window. An address with `maxFailures` failures in
 * the window is refused until the oldest of them ages out; other addresses are not affected.
 */
export class AuthThrottle {
  #failures = new Map<string, number[]>();

  /** @param options limits and clock */
  constructor(readonly options: AuthThrottleOptions) {}

  /** Seconds until `address` may try again, or 0 when it may now. */
  retryAfterS(address: string): number {
    const recent = this.#recent(address);
    if (recent.length < this.options.maxFailures) return 0;
    const waitMs = recent[0] + this.options.windowMs - this.options.now();
    return Math.max(1, Math.ceil(waitMs / 1000));
  }

  /** Records a failed attempt from `address`. */
  recordFailure(address: string): void {
    const recent = this.#recent(address);
    recent.push(this.options.now());
    this.#failures.delete(address);
    this.#failures.set(address, recent);
    const max = this.options.maxAddresses ?? 10_000;
    while (this.#failures.size > max) this.#failures.delete(this.#failures.keys().next().value!);
  }

  #recent(address: string): number[] {
    const cutoff = this.options.now() - this.options.windowMs;
    const recent = (this.#failures.get(address) ?? []).filter((at) => at > cutoff);
    if (recent.length === 0) this.#failures.delete(address);
    else this.#failures.set(address, recent);
    return recent;
  }
}
