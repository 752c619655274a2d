/** How a chat ended. */
export type ChatOutcome = "success" | "error" | "cancelled" | "timeout" | "disconnected";

/** Upper bounds (seconds) of the run-time histogram buckets. */
export const RUN_TIME_BUCKETS_S = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600] as const;

/** Counters the gateway keeps about its chats; `GET /metrics` renders them. */
export class Metrics {
  started = 0;
  readonly finished: Record<ChatOutcome, number> = {
    success: 0,
    error: 0,
    cancelled: 0,
    timeout: 0,
    disconnected: 0,
  };
  lines = 0;
  bytes = 0;
  costUsd = 0;
  readonly runTime = { buckets: RUN_TIME_BUCKETS_S.map(() => 0), count: 0, sumS: 0 };

  /** Records a chat that ended after `durationMs`. */
  recordFinished(outcome: ChatOutcome, durationMs: number): void {
    this.finished[outcome]++;
    const seconds = durationMs / 1000;
    this.runTime.count++;
    this.runTime.sumS += seconds;
    RUN_TIME_BUCKETS_S.forEach((bound, index) => {
      if (seconds <= bound) this.runTime.buckets[index]++;
    });
  }
}
