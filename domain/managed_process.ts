/** Where a chat is in its life: waiting for a slot, running, or being stopped. */
export const PROCESS_STATUSES = ["queued", "running", "stopping"] as const;

/** One of {@link PROCESS_STATUSES}. */
export type ProcessStatus = typeof PROCESS_STATUSES[number];

/** Why a chat was asked to stop. */
export const STOP_REASONS = ["cancelled", "disconnected", "shutdown", "max_run", "idle", "inactive"] as const;

/** One of {@link STOP_REASONS}. */
export type StopReason = typeof STOP_REASONS[number];

/**
 * One chat the gateway is running (or about to run): what `GET /processes` lists.
 *
 * `stop` asks the chat to end (idempotent), `kill` ends it now; `finished` settles once the CLI is gone.
 */
export interface ManagedProcess {
  readonly id: string;
  readonly cwd: string;
  readonly model: string | null;
  readonly startedAt: Date;
  sessionId: string | null;
  status: ProcessStatus;
  /** True for a chat that takes follow-up messages. */
  readonly interactive: boolean;
  /** True while the CLI works on a message (false for a queued chat, or one between turns). */
  readonly turnRunning: boolean;
  /** Permission requests waiting for the client's answer. */
  readonly pendingPermissions: number;
  stopReason: StopReason | null;
  stop(reason: StopReason): void;
  /** Kills the CLI and everything it started at once. */
  kill(): void;
  readonly finished: Promise<void>;
}
