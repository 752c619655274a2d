import {
  type ChatErrorData,
  type ChatEvent,
  type LaunchFailure,
  LIMIT_REASONS,
  type LimitReason,
} from "../domain/chat_event.ts";
import type { CliExit } from "../domain/cli_runner.ts";
import type { StopReason } from "../domain/managed_process.ts";
import type { TimeLimits } from "./chat_timers.ts";
import type { Logger } from "./logger.ts";
import type { ChatOutcome } from "./metrics.ts";

/** Why a chat never got its CLI, in the words its error event uses. */
export interface LaunchFailureReport {
  reason: LaunchFailure;
  message: string;
}

/** What a chat knows about itself when it ends; `exit` is null when it never got its CLI. */
export interface ChatEnding {
  processId: string;
  exit: CliExit | null;
  stopReason: StopReason | null;
  launchFailure: LaunchFailureReport | null;
  sessionId: string | null;
  durationMs: number;
  limits: TimeLimits;
}

const LIMIT_MESSAGES: Record<LimitReason, (ms: number) => string> = {
  max_run: (ms) => `stopped: the chat ran longer than MAX_RUN_S (${ms / 1000} s)`,
  idle: (ms) => `stopped: the CLI printed nothing for IDLE_TIMEOUT_S (${ms / 1000} s)`,
  inactive: (ms) =>
    `stopped: the interactive chat had no turn, message or permission request for INTERACTIVE_IDLE_S (${
      ms / 1000
    } s)`,
};

function isLimitReason(reason: StopReason | null): reason is LimitReason {
  return (LIMIT_REASONS as readonly (StopReason | null)[]).includes(reason);
}

function exitMessage(exit: CliExit): string {
  if (exit.signal) return `the CLI was killed by ${exit.signal}`;
  return `the CLI exited with code ${exit.code}`;
}

/** The `error` event's data, when the chat did not end well. */
function errorData(ending: ChatEnding): ChatErrorData | null {
  const { processId, exit, launchFailure, stopReason } = ending;
  if (exit === null) {
    if (launchFailure === null) return null;
    const { message, reason } = launchFailure;
    return { process_id: processId, exit_code: null, signal: null, stderr: "", message, reason };
  }
  const limit = isLimitReason(stopReason) ? stopReason : null;
  if (exit.code === 0 && limit === null) return null;
  const limitMs = limit === "idle"
    ? ending.limits.idleMs
    : limit === "inactive"
    ? ending.limits.inactiveMs
    : ending.limits.maxRunMs;
  return {
    process_id: processId,
    exit_code: exit.code,
    signal: exit.signal,
    stderr: exit.stderrTail,
    message: limit ? LIMIT_MESSAGES[limit](limitMs) : exitMessage(exit),
    ...(limit ? { reason: limit } : {}),
  };
}

/**
 * The events that end a chat's stream: an `error` when the CLI failed, a limit stopped it or it never
 * started, then `done`.
 * @param ending what the chat knows as it ends
 */
export function endEvents(ending: ChatEnding): ChatEvent[] {
  const { processId, exit, stopReason, launchFailure } = ending;
  const error = errorData(ending);
  const done: ChatEvent = {
    type: "done",
    data: {
      process_id: processId,
      exit_code: exit?.code ?? null,
      signal: exit?.signal ?? null,
      cancelled: stopReason !== null,
      stop_reason: exit === null ? launchFailure?.reason ?? stopReason : stopReason,
      session_id: ending.sessionId,
      duration_ms: ending.durationMs,
    },
  };
  return error ? [{ type: "error", data: error }, done] : [done];
}

/**
 * How the chat ended, for the metrics and the log.
 * @param ending what the chat knows as it ends
 */
export function chatOutcome(ending: Pick<ChatEnding, "exit" | "stopReason" | "launchFailure">): ChatOutcome {
  const { exit, stopReason, launchFailure } = ending;
  if (launchFailure?.reason === "queue_timeout") return "timeout";
  if (launchFailure) return "error";
  switch (stopReason) {
    case "max_run":
    case "idle":
    case "inactive":
      return "timeout";
    case "disconnected":
      return "disconnected";
    case "cancelled":
    case "shutdown":
      return "cancelled";
    default:
      return exit?.code === 0 ? "success" : "error";
  }
}

/** What the log line of a finished chat adds to its ending. */
export interface EndLogDetails {
  requestId: string | undefined;
  outcome: ChatOutcome;
  lines: number;
  bytes: number;
}

/**
 * Logs how a chat ended: a warning with the stderr tail when it failed, else one info line.
 * @param logger where to write
 * @param ending what the chat knows as it ends
 * @param details the outcome and what the chat streamed
 */
export function logEnding(logger: Logger, ending: ChatEnding, details: EndLogDetails): void {
  const { exit } = ending;
  const { outcome } = details;
  const fields = {
    process_id: ending.processId,
    request_id: details.requestId,
    outcome,
    exit_code: exit?.code ?? null,
    signal: exit?.signal ?? null,
    stop_reason: ending.stopReason ?? ending.launchFailure?.reason ?? null,
    lines: details.lines,
    bytes: details.bytes,
    duration_ms: ending.durationMs,
  };
  if (outcome === "error") logger.warn("chat failed", { ...fields, stderr: exit?.stderrTail.slice(-500) });
  else logger.info("chat finished", fields);
}
