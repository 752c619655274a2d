import { PERMISSION_OUTCOMES, type PermissionOutcome } from "../domain/chat_event.ts";

/** How a chat ended. */
export type ChatOutcome = "success" | "error" | "cancelled" | "timeout" | "disconnected";

/** Upper bounds (seconds) of the run-time histogram buckets. */
export const RUN_TIME_BUCKETS_S = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600] as const;

/** The run-time histogram: a count per bucket of {@link RUN_TIME_BUCKETS_S}, the count and the sum. */
export interface RunTimeHistogram {
  readonly buckets: readonly number[];
  readonly count: number;
  readonly sumS: number;
}

/**
 * Counters the gateway keeps about its chats; `GET /metrics` renders them. Chats report what happens
 * through the methods; everyone else only reads.
 */
export class Metrics {
  #started = 0;
  #finished: Record<ChatOutcome, number> = {
    success: 0,
    error: 0,
    cancelled: 0,
    timeout: 0,
    disconnected: 0,
  };
  #lines = 0;
  #bytes = 0;
  #costUsd = 0;
  #sendTimeouts = 0;
  #permissions = Object.fromEntries(PERMISSION_OUTCOMES.map((outcome) => [outcome, 0])) as Record<
    PermissionOutcome,
    number
  >;
  #runTime = { buckets: RUN_TIME_BUCKETS_S.map(() => 0), count: 0, sumS: 0 };

  /** A CLI process was started. */
  chatStarted(): void {
    this.#started++;
  }

  /** A CLI stdout line of `bytes` bytes was streamed. */
  lineStreamed(bytes: number): void {
    this.#lines++;
    this.#bytes += bytes;
  }

  /** A result line reported what its turn cost. */
  costReported(usd: number): void {
    this.#costUsd += usd;
  }

  /** A client of a chat's stream was cut off for taking nothing for SEND_TIMEOUT_S. */
  sendTimedOut(): void {
    this.#sendTimeouts++;
  }

  /** A permission request ended with `outcome`. */
  permissionResolved(outcome: PermissionOutcome): void {
    this.#permissions[outcome]++;
  }

  /** Permission requests, by outcome. */
  get permissions(): Readonly<Record<PermissionOutcome, number>> {
    return this.#permissions;
  }

  /** Clients cut off for SEND_TIMEOUT_S. */
  get sendTimeouts(): number {
    return this.#sendTimeouts;
  }

  /** A chat ended with `outcome` after `durationMs`. */
  chatFinished(outcome: ChatOutcome, durationMs: number): void {
    this.#finished[outcome]++;
    const seconds = durationMs / 1000;
    this.#runTime.count++;
    this.#runTime.sumS += seconds;
    RUN_TIME_BUCKETS_S.forEach((bound, index) => {
      if (seconds <= bound) this.#runTime.buckets[index]++;
    });
  }

  /** CLI processes started. */
  get started(): number {
    return this.#started;
  }

  /** Chats finished, by outcome. */
  get finished(): Readonly<Record<ChatOutcome, number>> {
    return this.#finished;
  }

  /** CLI stdout lines streamed. */
  get lines(): number {
    return this.#lines;
  }

  /** CLI stdout bytes streamed. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Sum of the costs the result lines reported, in USD. */
  get costUsd(): number {
    return this.#costUsd;
  }

  /** Wall time of finished chats. */
  get runTime(): RunTimeHistogram {
    return this.#runTime;
  }
}
