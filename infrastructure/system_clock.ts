import type { Clock } from "../domain/clock.ts";

/** The real clock: `Date.now()` and the runtime's timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(callback, ms) {
    const id = setTimeout(callback, ms);
    return { cancel: () => clearTimeout(id) };
  },
};
