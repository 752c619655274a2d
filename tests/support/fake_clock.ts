import type { Clock, Timer } from "../../domain/clock.ts";

interface Pending {
  at: number;
  order: number;
  callback: () => void;
}

/** A clock that moves only when the test says so; timers fire in order of their due time during `advance`. */
export class FakeClock implements Clock {
  #now: number;
  #order = 0;
  #timers = new Set<Pending>();

  /** @param start the initial time, in ms since the epoch */
  constructor(start = 1_700_000_000_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimeout(callback: () => void, ms: number): Timer {
    const pending: Pending = { at: this.#now + Math.max(0, ms), order: this.#order++, callback };
    this.#timers.add(pending);
    return { cancel: () => this.#timers.delete(pending) };
  }

  /** Timers set and not yet fired or cancelled. */
  get pending(): number {
    return this.#timers.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way (including ones they set). */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const next = [...this.#timers].filter((timer) => timer.at <= until)
        .sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (!next) break;
      this.#timers.delete(next);
      this.#now = next.at;
      next.callback();
    }
    this.#now = until;
  }
}
