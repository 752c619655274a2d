import type { Context, MiddlewareHandler } from "hono";
import type { ChatSlots } from "../../application/chat_slots.ts";
import type { Door, DoorMetrics } from "../../application/door_metrics.ts";
import type { Logger } from "../../application/logger.ts";
import type { Metrics } from "../../application/metrics.ts";
import type { DoorChatInput, StartDoorChat } from "../../application/start_door_chat.ts";
import type { Clock } from "../../domain/clock.ts";
import { HttpError } from "../error_response.ts";
import { sseResponse } from "../sse.ts";
import type { ErrorDialect } from "./door_errors.ts";
import { DoorRun, type DoorRunEnd } from "./door_run.ts";
import { doorStreamSource, readUntilSession, type StreamDialect } from "./door_stream.ts";

/** Dependencies of the door routes. */
export interface DoorRoutesDeps {
  startDoorChat: StartDoorChat;
  /** Basic Auth or an API key, in front of every door route. */
  auth: MiddlewareHandler;
  /** Asked for room before a body is read, so a full server refuses without reading it. */
  slots: Pick<ChatSlots, "assertRoom">;
  maxBodyBytes: number;
  keepaliveMs: number;
  sendTimeoutMs?: number;
  metrics: Pick<Metrics, "sendTimedOut">;
  doorMetrics: DoorMetrics;
  /** Whether answers show the agent's tool calls when a request does not say (`COMPAT_TOOL_TRACE`). */
  toolTrace: boolean;
  /** The models `GET /v1/models` lists. */
  models: readonly string[];
  logger: Logger;
  clock: Clock;
  newId: () => string;
}

/** What one door request asks for, in the door's terms already turned into the gateway's. */
export interface DoorRequest {
  door: Door;
  input: Pick<DoorChatInput, "turns" | "system" | "model">;
  /** The stream's dialect, or null for one whole answer. */
  stream: StreamDialect | null;
  /** The whole answer's body. */
  whole: (end: DoorRunEnd) => unknown;
  errors: ErrorDialect;
}

const TRUE = ["1", "true", "yes", "on"];
const FALSE = ["0", "false", "no", "off"];

function bad(header: string, message: string): HttpError {
  return new HttpError(400, "invalid_header", `${header}: ${message}`, [{ field: header, message }]);
}

/**
 * The gateway's request headers of a door: `X-Claude-Cwd`, `X-Session-ID`, `X-Claude-Tool-Trace`.
 * @throws {HttpError} 400 naming a malformed header
 */
function doorHeaders(c: Context, defaultTrace: boolean) {
  const cwd = c.req.header("X-Claude-Cwd")?.trim() || undefined;
  if (cwd !== undefined && !cwd.startsWith("/")) {
    throw bad("X-Claude-Cwd", `"${cwd}" is not an absolute path`);
  }
  const sessionId = c.req.header("X-Session-ID")?.trim() || undefined;
  if (
    sessionId !== undefined &&
    !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(sessionId)
  ) {
    throw bad("X-Session-ID", `"${sessionId}" is not a session id (a UUID)`);
  }
  const trace = c.req.header("X-Claude-Tool-Trace")?.trim().toLowerCase();
  if (trace !== undefined && trace !== "" && !TRUE.includes(trace) && !FALSE.includes(trace)) {
    throw bad("X-Claude-Tool-Trace", `"${trace}" is not true or false`);
  }
  const toolTrace = trace === undefined || trace === "" ? defaultTrace : TRUE.includes(trace);
  return { cwd, sessionId, toolTrace };
}

/** `reading`, and the run let go (so its chat stops) if reading it fails. */
async function closingOnError<T>(run: DoorRun, reading: Promise<T>): Promise<T> {
  try {
    return await reading;
  } catch (error) {
    run.close();
    throw error;
  }
}

/**
 * Runs one door request as an ordinary chat and answers it in the door's dialect: as a stream (pulled by the
 * client, keepalives, send timeout, the chat stopped when the client goes away) or as one whole answer.
 * The response names the chat (`X-Process-ID`, `X-Watch-Token`), its session (`X-Session-ID`, learnt from
 * the CLI's first line before the stream starts) and its directory (`X-Claude-Cwd`).
 */
export async function serveDoor(c: Context, deps: DoorRoutesDeps, request: DoorRequest): Promise<Response> {
  const { door } = request;
  const { doorMetrics, logger } = deps;
  const { cwd, sessionId, toolTrace } = doorHeaders(c, deps.toolTrace);
  const requestId = deps.newId();
  const chat = await deps.startDoorChat({ ...request.input, cwd, sessionId, requestId });
  doorMetrics.started(door, { stream: request.stream !== null, continuation: chat.continuation });
  const run = new DoorRun(chat, { toolTrace });
  const fields = { process_id: run.processId, request_id: requestId, door, continuation: chat.continuation };
  logger.info("door chat", fields);
  let ended = false;
  const finished = (end: DoorRunEnd) => {
    ended = true;
    doorMetrics.finished(door, end.failure === null ? "success" : "error", end.result?.usage ?? null);
  };
  const gone = () => {
    if (!ended) doorMetrics.finished(door, "disconnected", null);
    ended = true;
    run.close();
  };
  c.req.raw.signal.addEventListener("abort", gone, { once: true });
  const headers = () => ({
    "X-Process-ID": run.processId,
    "X-Watch-Token": chat.started.watchToken,
    "X-Claude-Cwd": chat.cwd,
    ...(run.sessionId ? { "X-Session-ID": run.sessionId } : {}),
  });

  if (request.stream !== null) {
    const buffered = await closingOnError(run, readUntilSession(run));
    const dialect = request.stream;
    const counted: StreamDialect = { ...dialect, end: (end) => (finished(end), dialect.end(end)) };
    return sseResponse(doorStreamSource(run, buffered, counted), {
      keepaliveMs: deps.keepaliveMs,
      clock: deps.clock,
      onClientGone: () => {
        logger.info("client disconnected", fields);
        gone();
      },
      sendTimeoutMs: deps.sendTimeoutMs,
      onSendTimeout: () => {
        logger.warn("client cut off", { ...fields, error: "send_timeout" });
        deps.metrics.sendTimedOut();
        gone();
      },
    }, headers());
  }

  const end = await closingOnError(run, run.collect());
  finished(end);
  if (end.failure !== null) {
    const body = request.errors({ status: 502, code: "cli_failed", message: end.failure, param: null });
    // A failed run is not a passing fault: the client libraries must not send it again by themselves.
    return Response.json(body, { status: 502, headers: { ...headers(), "x-should-retry": "false" } });
  }
  return Response.json(request.whole(end), { headers: headers() });
}
