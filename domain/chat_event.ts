import { STOP_REASONS, type StopReason } from "./managed_process.ts";

/** Why a chat never got its CLI: no slot in time, or the CLI could not be started. */
export const LAUNCH_FAILURES = ["queue_timeout", "start_failed"] as const;

/** One of {@link LAUNCH_FAILURES}. */
export type LaunchFailure = typeof LAUNCH_FAILURES[number];

/** Limits the gateway enforces by stopping a chat itself; such a stop is reported as an error. */
export const LIMIT_REASONS = ["max_run", "idle", "inactive"] as const satisfies readonly StopReason[];

/** One of {@link LIMIT_REASONS}. */
export type LimitReason = typeof LIMIT_REASONS[number];

/** Why a chat of a cluster ended without its own end: the node that ran it stopped answering. */
export const CLUSTER_FAILURES = ["node_lost"] as const;

/** One of {@link CLUSTER_FAILURES}. */
export type ClusterFailure = typeof CLUSTER_FAILURES[number];

/** Every reason the `error` event may give for a chat the gateway ended itself. */
export const ERROR_REASONS = [...LIMIT_REASONS, ...LAUNCH_FAILURES, ...CLUSTER_FAILURES] as const;

/** One of {@link ERROR_REASONS}. */
export type ErrorReason = typeof ERROR_REASONS[number];

/** Every reason the `done` event may give for a chat the gateway ended (null: the CLI ended on its own). */
export const END_REASONS = [...STOP_REASONS, ...LAUNCH_FAILURES, ...CLUSTER_FAILURES] as const;

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

/** Data of the `permission_request` event: the CLI asks whether a tool may run. */
export interface PermissionRequestData {
  /** The id to answer with `POST /chat/{process_id}/permissions/{request_id}`. */
  request_id: string;
  tool_name: string;
  tool_use_id: string | null;
  /** The tool's input as the model gave it. */
  input: Record<string, unknown>;
  /** What the CLI says the call does (e.g. the file or the command's description). */
  description: string | null;
  /** The path that made the CLI ask, when one did. */
  blocked_path: string | null;
  /** Why the CLI asks, when it says. */
  decision_reason: string | null;
  /** The rules the CLI suggests for "allow from now on" (applied for this chat only, with `remember`). */
  suggestions: unknown[];
  /** True when the tool needs a person's answer (AskUserQuestion, ExitPlanMode): `updated_input` carries it. */
  requires_user_interaction: boolean;
  /** When the gateway denies it for lack of an answer (PERMISSION_TIMEOUT_S), ISO 8601. */
  expires_at: string;
}

/** How a permission request ended. */
export const PERMISSION_OUTCOMES = ["allowed", "denied", "timeout", "cancelled"] as const;

/** One of {@link PERMISSION_OUTCOMES}. */
export type PermissionOutcome = typeof PERMISSION_OUTCOMES[number];

/** Who ended a permission request: the client's answer, the timeout, the CLI withdrawing it, the chat ending. */
export const PERMISSION_RESOLVERS = ["client", "timeout", "cli", "chat_end"] as const;

/** One of {@link PERMISSION_RESOLVERS}. */
export type PermissionResolver = typeof PERMISSION_RESOLVERS[number];

/** Data of the `permission_resolved` event: one per `permission_request`, however it ended. */
export interface PermissionResolvedData {
  request_id: string;
  outcome: PermissionOutcome;
  by: PermissionResolver;
  /** The deny message the CLI got, when denied; else null. */
  message: string | null;
}

/**
 * What a chat stream carries: each CLI stdout line as it was printed (the gateway's own protocol lines
 * left out), the permission requests of a chat that asks its client, then maybe an error, then done.
 */
export type ChatEvent =
  | { type: "message"; line: Uint8Array }
  | { type: "permission_request"; data: PermissionRequestData }
  | { type: "permission_resolved"; data: PermissionResolvedData }
  | { type: "error"; data: ChatErrorData }
  | { type: "done"; data: ChatDoneData };

/** Where a consumer pulls a chat's events from: `next()` until null. */
export interface ChatEventSource {
  next(): Promise<ChatEvent[] | null>;
}
