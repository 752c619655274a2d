import type { LimitReason } from "../domain/chat_event.ts";
import type { Clock, Timer } from "../domain/clock.ts";

/** The time limits of one chat, in ms; zero disables a limit. */
export interface TimeLimits {
  maxRunMs: number;
  idleMs: number;
  /** How long an interactive chat may wait with no turn running and no permission request open. */
  inactiveMs: number;
}

/** Options of {@link ChatTimers}. */
export interface ChatTimersOptions {
  limits: TimeLimits;
  clock: Clock;
  /** Called when a limit is reached (maybe more than once: stopping must be idempotent). */
  onLimit: (reason: LimitReason) => void;
}

/**
 * The limits of one chat: `max_run` from the moment its CLI runs, `idle` while a read of its stdout has
 * waited too long. Idle means a read has been waiting, not that the client is slow: no read waits while
 * the consumer takes its time, so a slow reader is never idle.
 *
 * One idle timer per chat, re-armed lazily from the start of the current read rather than once per read:
 * at full speed a chat reads thousands of times a second.
 */
export class ChatTimers {
  #options: ChatTimersOptions;
  #maxRun: Timer | null = null;
  #idle: Timer | null = null;
  #readSince: number | null = null;
  #held = false;
  #inactive: Timer | null = null;
  #stopped = false;

  /** @param options the limits, the clock and what to do when one is reached */
  constructor(options: ChatTimersOptions) {
    this.#options = options;
  }

  /** The CLI runs from now: the max-run limit starts. */
  runStarted(): void {
    const { limits, clock, onLimit } = this.#options;
    if (limits.maxRunMs <= 0 || this.#stopped || this.#maxRun !== null) return;
    this.#maxRun = clock.setTimeout(() => onLimit("max_run"), limits.maxRunMs);
  }

  /** A read of stdout starts waiting. */
  readStarted(): void {
    this.#readSince = this.#options.clock.now();
    const { idleMs } = this.#options.limits;
    if (idleMs > 0 && this.#idle === null && !this.#stopped) this.#armIdle(idleMs);
  }

  /** The read got its data (or the end). */
  readEnded(): void {
    this.#readSince = null;
  }

  /**
   * Whether the CLI's silence is expected (it waits for the client: an answer, or an interactive chat's next
   * message): while it is, the idle limit does not count; it counts afresh from the moment it is not.
   */
  setHeld(held: boolean): void {
    if (held === this.#held) return;
    this.#held = held;
    if (!held && this.#readSince !== null) this.#readSince = this.#options.clock.now();
  }

  /** Whether an interactive chat waits for anything at all: the inactive limit runs while it does not. */
  setInactive(inactive: boolean): void {
    const { limits, clock, onLimit } = this.#options;
    if (!inactive || this.#stopped || limits.inactiveMs <= 0) {
      this.#inactive?.cancel();
      this.#inactive = null;
      return;
    }
    this.#inactive ??= clock.setTimeout(() => onLimit("inactive"), limits.inactiveMs);
  }

  /** The chat is over: no limit fires any more. */
  stop(): void {
    this.#stopped = true;
    this.#maxRun?.cancel();
    this.#idle?.cancel();
    this.#inactive?.cancel();
  }

  #armIdle(afterMs: number): void {
    const { limits, clock, onLimit } = this.#options;
    this.#idle = clock.setTimeout(() => {
      this.#idle = null;
      if (this.#stopped || this.#readSince === null) return;
      if (this.#held) return this.#armIdle(limits.idleMs);
      const waited = clock.now() - this.#readSince;
      if (waited >= limits.idleMs) onLimit("idle");
      else this.#armIdle(limits.idleMs - waited);
    }, afterMs);
  }
}
