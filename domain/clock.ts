/** A timer set through a {@link Clock}. */
export interface Timer {
  /** Stops the timer; a no-op once it fired or was cancelled. */
  cancel(): void;
}

/**
 * Port: the time and the timers. Injected everywhere time matters, so tests drive it by hand instead of
 * patching globals or sleeping.
 */
export interface Clock {
  /** Milliseconds since the epoch (may be fractional). */
  now(): number;
  /** Calls `callback` once after `ms` milliseconds. */
  setTimeout(callback: () => void, ms: number): Timer;
}
