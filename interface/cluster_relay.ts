import { Buffer } from "node:buffer";
import type { Context, MiddlewareHandler } from "hono";
import type { Cluster, ClusterChat } from "../application/cluster.ts";
import { concatBytes } from "../application/concat_bytes.ts";
import type { Logger } from "../application/logger.ts";
import type { Metrics } from "../application/metrics.ts";
import type { ChatStateView, WatchedChats } from "../application/watched_chats.ts";
import type { Clock } from "../domain/clock.ts";
import { ClusterUnavailableError, InvalidFieldError } from "../domain/errors.ts";
import { HttpError } from "./error_response.ts";
import { sseResponse } from "./sse.ts";

/** A request relayed to the node that runs its chat, and that node's answer: plain data, as JSON. */
interface Relayed {
  method: string;
  /** Path and query. */
  path: string;
  headers: [string, string][];
  /** The body, base64; null for none. */
  body: string | null;
  /** The client's address, as the asking node saw it (for the owner's login throttle). */
  address: string | null;
}

/** The owner's answer to a {@link Relayed} request. */
interface RelayedAnswer {
  status: number;
  headers: [string, string][];
  body: string;
}

/** Headers that belong to one connection, not to the request. */
const HOP_HEADERS = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive"]);
// As the watch route's: empty is "no id".
const EVENT_ID = /^\d{0,15}$/;

/** Dependencies of {@link clusterRelay}. */
export interface ClusterRelayDeps {
  cluster: Cluster;
  watched: WatchedChats;
  auth: MiddlewareHandler;
  logger: Logger;
  maxBodyBytes: number;
  keepaliveMs: number;
  sendTimeoutMs?: number;
  metrics: Pick<Metrics, "sendTimedOut">;
  clock: Clock;
}

const toBase64 = (bytes: Uint8Array) =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64");
const fromBase64 = (text: string) => new Uint8Array(Buffer.from(text, "base64"));

/**
 * In front of the routes of one chat (`/chat/{process_id}` and below), on a node of a cluster: a chat this
 * node does not run but another does is served from the cluster. Its events (`GET …/events`) are read from its
 * Redis stream here; every other request (DELETE, PATCH, messages, interrupt, permissions, its state) is
 * relayed as it came to the node that runs the chat, which answers it exactly as if it had been asked itself
 * (its auth, validation and errors), and that answer is relayed back. A chat whose node is gone answers its
 * state and events from Redis; anything else about it is a 404, as for a chat that is no more.
 */
export function clusterRelay(deps: ClusterRelayDeps): MiddlewareHandler {
  const { cluster, watched } = deps;
  return async (c, next) => {
    const processId = c.req.param("process_id");
    if (!processId || (c.env as { relayed?: boolean } | undefined)?.relayed || watched.get(processId)) {
      return await next();
    }
    let chat: ClusterChat | null;
    try {
      chat = await cluster.chat(processId);
    } catch {
      // Not this node's chat, and nobody can say whose: that is not a 404.
      throw new ClusterUnavailableError(
        `Redis is unreachable from this node: cannot find chat "${processId}"`,
      );
    }
    if (chat === null || chat.node === cluster.nodeId) return await next();
    const rest = c.req.path.slice(`/chat/${processId}`.length);
    const method = c.req.method;
    if (method === "GET" && rest === "/events") return await watchRemote(c, chat, deps);
    if (method === "GET" && rest === "" && (!chat.nodeAlive || chat.done !== null)) {
      return await authorized(c, deps.auth, () => c.json(stateOf(chat), 200));
    }
    if (!chat.nodeAlive) return await next();
    return await relay(c, chat.node, deps);
  };
}

/** Compares two strings in time that depends on their length only (as the local token check does). */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** Runs `handler` once `auth` let the request through. */
async function authorized(
  c: Context,
  auth: MiddlewareHandler,
  handler: () => Response | Promise<Response>,
): Promise<Response> {
  let response: Response | undefined;
  await auth(c, async () => {
    response = await handler();
  });
  return response ?? c.res;
}

/** A chat's state as Redis has it: for a chat whose node has ended it, or is gone. */
function stateOf(chat: ClusterChat): ChatStateView {
  return {
    process_id: chat.processId,
    status: chat.done === null ? "running" : "finished",
    session_id: chat.done?.session_id ?? chat.sessionId,
    started_at: chat.startedAt.replace(/\.\d{3}Z$/, "Z"),
    last_event_id: chat.lastEventId,
    watchers: 0,
    done: chat.done,
  };
}

/** `GET /chat/{process_id}/events` of a chat another node runs: its Redis stream, replayed then live. */
function watchRemote(c: Context, chat: ClusterChat, deps: ClusterRelayDeps): Promise<Response> {
  const { processId } = chat;
  const handler = () => {
    const given = c.req.header("Last-Event-ID") || c.req.query("last_event_id") || "0";
    if (!EVENT_ID.test(given)) {
      throw new InvalidFieldError(
        "last_event_id",
        `last_event_id "${given}" must be a whole number of at least 0`,
      );
    }
    const after = Number(given);
    if (after > chat.lastEventId) {
      throw new InvalidFieldError(
        "last_event_id",
        `last_event_id ${after} is beyond the chat's newest event (${chat.lastEventId})`,
      );
    }
    deps.logger.info("remote watcher attached", { process_id: processId, node: chat.node, after });
    return sseResponse(deps.cluster.watch(processId, after), {
      keepaliveMs: deps.keepaliveMs,
      clock: deps.clock,
      onClientGone: () => deps.logger.info("watcher disconnected", { process_id: processId }),
      sendTimeoutMs: deps.sendTimeoutMs,
      onSendTimeout: () => {
        deps.logger.warn("watcher cut off", { process_id: processId, error: "send_timeout" });
        deps.metrics.sendTimedOut();
      },
    }, { "X-Process-ID": processId });
  };
  const token = c.req.query("token");
  if (token === undefined) return authorized(c, deps.auth, handler);
  if (!sameText(token, chat.watchToken)) {
    throw new HttpError(401, "invalid_token", `the watch token is not the one of chat "${processId}"`);
  }
  return Promise.resolve(handler());
}

/** Reads the body, refusing more than `maxBytes` as the routes would (while reading: the rest is not read). */
async function readBody(request: Request, maxBytes: number): Promise<Uint8Array | null> {
  if (request.body === null) return null;
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const part of request.body) {
    size += part.length;
    if (size > maxBytes) {
      throw new HttpError(413, "payload_too_large", `request body is larger than ${maxBytes} bytes`);
    }
    parts.push(part);
  }
  return concatBytes(parts);
}

/** Relays the request to `node` and answers with what it answered. */
async function relay(c: Context, node: string, deps: ClusterRelayDeps): Promise<Response> {
  const declared = Number(c.req.header("Content-Length") ?? "NaN");
  if (declared > deps.maxBodyBytes) {
    throw new HttpError(413, "payload_too_large", `request body is larger than ${deps.maxBodyBytes} bytes`);
  }
  const body = await readBody(c.req.raw, deps.maxBodyBytes);
  const url = new URL(c.req.url);
  const request: Relayed = {
    method: c.req.method,
    path: url.pathname + url.search,
    headers: [...c.req.raw.headers].filter(([name]) => !HOP_HEADERS.has(name.toLowerCase())),
    body: body === null ? null : toBase64(body),
    address: (c.env as { remoteAddr?: { hostname?: string } } | undefined)?.remoteAddr?.hostname ?? null,
  };
  const answer = JSON.parse(await deps.cluster.ask(node, JSON.stringify(request))) as RelayedAnswer;
  deps.logger.debug("relayed", { method: request.method, path: url.pathname, node, status: answer.status });
  return new Response(fromBase64(answer.body), { status: answer.status, headers: answer.headers });
}

/**
 * What a node answers a request relayed to it: it runs the request through its own app (marked as relayed,
 * so it is not relayed on) and returns the response. Only requests whose answer ends are relayed.
 * @param fetch the app's fetch
 */
export function answerRelayed(
  fetch: (
    request: Request,
    env: { remoteAddr?: { hostname?: string }; relayed: true },
  ) => Response | Promise<Response>,
): (message: string) => Promise<string> {
  return async (message) => {
    const relayed = JSON.parse(message) as Relayed;
    const request = new Request(`http://relayed${relayed.path}`, {
      method: relayed.method,
      headers: relayed.headers,
      body: relayed.body === null ? null : fromBase64(relayed.body),
    });
    const env = {
      relayed: true as const,
      ...(relayed.address ? { remoteAddr: { hostname: relayed.address } } : {}),
    };
    const response = await fetch(request, env);
    const body = new Uint8Array(await response.arrayBuffer());
    const answer: RelayedAnswer = {
      status: response.status,
      headers: [...response.headers],
      body: toBase64(body),
    };
    return JSON.stringify(answer);
  };
}
