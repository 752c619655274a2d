import { STOP_REASONS, type StopReason } from "./managed_process.ts";

/** Why a chat never got its CLI: no slot in time, or the CLI could not be started. */
export const LAUNCH_FAILURES = ["queue_timeout", "start_failed"] as const;

/** One of {@link LAUNCH_FAILURES}. */
export type LaunchFailure = typeof LAUNCH_FAILURES[number];

/** Limits the gateway enforces by stopping a chat itself; such a stop is reported as an error. */
export const LIMIT_REASONS = ["max_run", "idle"] as const satisfies readonly StopReason[];

/** One of {@link LIMIT_REASONS}. */
export type LimitReason = typeof LIMIT_REASONS[number];

/** Every reason the `error` event may give for a chat the gateway ended itself. */
export const ERROR_REASONS = [...LIMIT_REASONS, ...LAUNCH_FAILURES] as const;

/** One of {@link ERROR_REASONS}. */
export type ErrorReason = typeof ERROR_REASONS[number];

/** Every reason the `done` event may give for a chat the gateway ended (null: the CLI ended on its own). */
export const END_REASONS = [...STOP_REASONS, ...LAUNCH_FAILURES] as const;

/** One of {@link END_REASONS}. */
export type EndReason = typeof END_REASONS[number];

/** Data of the `error` event: why the chat did not end well. */
export interface ChatErrorData {
  process_id: string;
  exit_code: number | null;
  signal: string | null;
  stderr: string;
  message: string;
  /** Set when the gateway ended the chat itself. */
  reason?: ErrorReason;
}

/** Data of the `done` event that ends every stream. */
export interface ChatDoneData {
  process_id: string;
  exit_code: number | null;
  signal: string | null;
  cancelled: boolean;
  stop_reason: EndReason | null;
  session_id: string | null;
  duration_ms: number;
}

/** What a chat stream carries: each CLI stdout line as it was printed, then maybe an error, then done. */
export type ChatEvent =
  | { type: "message"; line: Uint8Array }
  | { type: "error"; data: ChatErrorData }
  | { type: "done"; data: ChatDoneData };

/** Where a consumer pulls a chat's events from: `next()` until null. */
export interface ChatEventSource {
  next(): Promise<ChatEvent[] | null>;
}
