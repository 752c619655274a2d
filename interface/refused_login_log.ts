import type { LogFields } from "../application/logger.ts";

/** Options of {@link RefusedLoginLog}. */
export interface RefusedLoginLogOptions {
  /** How long one line covers an address, in ms. */
  windowMs: number;
  now: () => number;
  /** Writes one line. */
  warn: (message: string, fields: LogFields) => void;
  /** How many addresses are tracked at most; the stalest are forgotten first. */
  maxAddresses?: number;
}

/** What was logged for one address. */
interface Entry {
  loggedAt: number;
  /** Refusals since that line, not yet logged. */
  unlogged: number;
}

/**
 * Rate-limits the "login refused" log: at most one line per address per window. The first refusal is
 * logged at once; those that follow within the window are counted and reported, as `refused_since_last`,
 * on the address's next line. A flood of bad logins therefore costs a line per window, not a line each.
 */
export class RefusedLoginLog {
  #entries = new Map<string, Entry>();

  /** @param options window, clock and writer */
  constructor(readonly options: RefusedLoginLogOptions) {}

  /** Records one refused login from `address`, logging it when this window has no line for it yet. */
  refused(address: string, reason: string): void {
    const now = this.options.now();
    const entry = this.#entries.get(address);
    if (entry && now - entry.loggedAt < this.options.windowMs) {
      entry.unlogged++;
      return;
    }
    const since = entry ? { refused_since_last: entry.unlogged } : {};
    this.options.warn("login refused", { address, reason, ...since, window_s: this.options.windowMs / 1000 });
    this.#entries.delete(address);
    this.#entries.set(address, { loggedAt: now, unlogged: 0 });
    const max = this.options.maxAddresses ?? 10_000;
    while (this.#entries.size > max) this.#entries.delete(this.#entries.keys().next().value!);
  }
}
