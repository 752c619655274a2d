import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Logger } from "../../application/logger.ts";
import type { Metrics } from "../../application/metrics.ts";
import type { WatchedChats } from "../../application/watched_chats.ts";
import type { Clock } from "../../domain/clock.ts";
import { InvalidFieldError } from "../../domain/errors.ts";
import {
  CHAT_NOT_FOUND,
  INVALID_WATCH_TOKEN,
  PROTECTED_ROUTE_ERRORS,
  VALIDATION_ERROR,
} from "../documented_errors.ts";
import { HttpError } from "../error_response.ts";
import { SECURITY_SCHEME } from "../openapi_document.ts";
import { reattachExamples, SSE_DESCRIPTION } from "../openapi_examples.ts";
import { ChatStateSchema } from "../response_schemas.ts";
import { sseResponse } from "../sse.ts";
import { chatLookup, processIdParam } from "./chat_lookup.ts";

// Empty is "no id", as the SSE standard has it: from the start.
const eventId = z.string().regex(/^\d{0,15}$/, "must be a whole number of at least 0");

/** Basic Auth, or none: the watch token in the query stands in for it. */
const BASIC_OR_TOKEN: Record<string, string[]>[] = [{ [SECURITY_SCHEME]: [] }, {}];

const chatStateRoute = createRoute({
  method: "get",
  path: "/{process_id}",
  operationId: "getChat",
  tags: ["chat"],
  summary: "The state of a chat",
  description: "Running chats, and finished ones for RETAIN_FINISHED_S after their end.",
  request: { params: processIdParam },
  responses: {
    200: { description: "The chat's state.", content: { "application/json": { schema: ChatStateSchema } } },
    ...PROTECTED_ROUTE_ERRORS,
    404: CHAT_NOT_FOUND,
  },
});

const chatEventsRoute = createRoute({
  method: "get",
  path: "/{process_id}/events",
  operationId: "watchChat",
  tags: ["chat"],
  summary: "Attach to a chat's stream: replay what was missed, then follow it live (SSE)",
  description: "Replays the chat's retained events after `Last-Event-ID` (the header, which a browser's " +
    "`EventSource` sends when it reconnects, or else `?last_event_id=`; neither: from the start), then " +
    "follows the chat live and ends after `done`. Any number of watchers, each at its own pace; the bytes of " +
    "an event are the same for each. Works for RETAIN_FINISHED_S after the chat ended. Authenticate with " +
    "Basic Auth, or with `?token=` set to the chat's `X-Watch-Token`, which opens this one chat's stream only.",
  security: BASIC_OR_TOKEN,
  request: {
    params: processIdParam,
    query: z.object({
      last_event_id: eventId.optional().openapi({
        description: "Resume after this id, for clients that cannot set `Last-Event-ID`.",
        example: "41",
      }),
      token: z.string().optional().openapi({
        description: "The chat's `X-Watch-Token`, instead of Basic Auth.",
        example: "pZ7v0kq3b2xS9mC1wQe4RtYuIoPaLsDf",
      }),
    }),
    headers: z.object({
      "last-event-id": eventId.optional().openapi({
        description: "Resume after this id (wins over `?last_event_id=`).",
        example: "41",
      }),
    }),
  },
  responses: {
    200: {
      description: "The chat's events after the given id, then live.",
      content: {
        "text/event-stream": {
          schema: z.string().openapi({ description: SSE_DESCRIPTION }),
          examples: reattachExamples(),
        },
      },
    },
    ...PROTECTED_ROUTE_ERRORS,
    401: INVALID_WATCH_TOKEN,
    404: CHAT_NOT_FOUND,
    422: VALIDATION_ERROR,
  },
});

/** Dependencies of {@link chatWatchRoutes}. */
export interface ChatWatchRoutesDeps {
  watched: WatchedChats;
  logger: Logger;
  /** Basic Auth. */
  auth: MiddlewareHandler;
  keepaliveMs: number;
  /** A stream client that takes nothing this long while events wait is cut off; 0 or unset: never. */
  sendTimeoutMs?: number;
  /** Counts the clients cut off. */
  metrics: Pick<Metrics, "sendTimedOut">;
  clock: Clock;
  /** How long finished chats are kept, for the 404 message. */
  retainFinishedS: number;
}

/**
 * `GET /chat/{process_id}` (its state) and `GET /chat/{process_id}/events` (attach to its stream, with Basic
 * Auth or its watch token); mount at `/chat`.
 */
export function chatWatchRoutes(deps: ChatWatchRoutesDeps): OpenAPIHono {
  const { watched, logger } = deps;
  const find = chatLookup(watched, deps.retainFinishedS);
  // The token opens the events of its own chat only; without one, Basic Auth as everywhere.
  const tokenOrBasic: MiddlewareHandler = async (c, next) => {
    const token = c.req.query("token");
    if (token === undefined) return await deps.auth(c, next);
    const processId = c.req.param("process_id") ?? "";
    find(processId);
    if (!watched.tokenFits(processId, token)) {
      throw new HttpError(401, "invalid_token", `the watch token is not the one of chat "${processId}"`);
    }
    await next();
  };

  const app = new OpenAPIHono();
  app.openapi({ ...chatStateRoute, middleware: deps.auth }, (c) => {
    return c.json(watched.state(find(c.req.valid("param").process_id)), 200);
  });
  app.openapi({ ...chatEventsRoute, middleware: tokenOrBasic }, (c) => {
    const { process_id: processId } = c.req.valid("param");
    const chat = find(processId);
    // An empty id counts as none.
    const given = c.req.valid("header")["last-event-id"] || c.req.valid("query").last_event_id || "0";
    const after = Number(given);
    const last = chat.feed.log.lastId;
    if (after > last) {
      throw new InvalidFieldError(
        "last_event_id",
        `last_event_id ${after} is beyond the chat's newest event (${last})`,
      );
    }
    logger.info("watcher attached", { process_id: processId, after, watchers: chat.feed.watchers + 1 });
    return sseResponse(chat.feed.watch(after), {
      keepaliveMs: deps.keepaliveMs,
      clock: deps.clock,
      onClientGone: () => logger.info("watcher disconnected", { process_id: processId }),
      sendTimeoutMs: deps.sendTimeoutMs,
      onSendTimeout: () => {
        logger.warn("watcher cut off", { process_id: processId, error: "send_timeout" });
        deps.metrics.sendTimedOut();
      },
    }, { "X-Process-ID": processId });
  });
  return app;
}
