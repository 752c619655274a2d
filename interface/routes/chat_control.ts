import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { ChatControls } from "../../application/chat_controls.ts";
import type { Logger } from "../../application/logger.ts";
import type { WatchedChats } from "../../application/watched_chats.ts";
import {
  CHAT_NOT_FOUND,
  PROTECTED_ROUTE_ERRORS,
  START_CHAT_ERRORS,
  VALIDATION_ERROR,
} from "../documented_errors.ts";
import {
  chatConflict,
  CLI_REFUSED,
  CLI_TIMEOUT,
  NOT_INTERACTIVE,
  PERMISSION_CONFLICTS,
  PERMISSION_NOT_FOUND,
} from "../chat_control_errors.ts";
import {
  ChatSettingsSchema,
  FollowUpSchema,
  InterruptedSchema,
  InterruptSchema,
  MessageAcceptedSchema,
  PermissionAnsweredSchema,
  PermissionAnswerSchema,
  PermissionListSchema,
  PermissionRequestSchema,
  PermissionResolvedSchema,
} from "../control_schemas.ts";
import { jsonBody } from "../json_body.ts";
import { chatLookup, processIdParam } from "./chat_lookup.ts";

const json = <T extends z.ZodType>(schema: T) => ({ content: { "application/json": { schema } } });
const { 400: BAD_JSON, 413: TOO_LARGE, 415: NOT_JSON, 403: FORBIDDEN } = START_CHAT_ERRORS;
const BODY_ERRORS = { 400: BAD_JSON, 413: TOO_LARGE, 415: NOT_JSON, 422: VALIDATION_ERROR };

const sendMessageRoute = createRoute({
  method: "post",
  path: "/{process_id}/messages",
  operationId: "sendMessage",
  tags: ["interactive"],
  summary: "Send a follow-up message to an interactive chat",
  description: "Writes the message to the CLI as a user message. While a turn runs it queues (the CLI may " +
    'merge queued messages into one turn); with `priority: "now"` it aborts the running turn. The answer ' +
    "arrives on the chat's stream.",
  request: { params: processIdParam, body: { required: true, ...json(FollowUpSchema) } },
  responses: {
    202: { description: "Handed to the CLI.", ...json(MessageAcceptedSchema) },
    ...PROTECTED_ROUTE_ERRORS,
    ...BODY_ERRORS,
    403: FORBIDDEN,
    404: CHAT_NOT_FOUND,
    409: chatConflict([NOT_INTERACTIVE]),
  },
});

const interruptRoute = createRoute({
  method: "post",
  path: "/{process_id}/interrupt",
  operationId: "interruptChat",
  tags: ["interactive"],
  summary: "Stop the running turn, keep the chat",
  description:
    "Interrupts the current turn through the CLI's control protocol: the partial answer stays in " +
    "the session, an interactive chat stays open for the next message (one that is not interactive ends, " +
    "as after any answer). The body is optional.",
  request: { params: processIdParam, body: { required: false, ...json(InterruptSchema) } },
  responses: {
    200: { description: "The turn was interrupted.", ...json(InterruptedSchema) },
    ...PROTECTED_ROUTE_ERRORS,
    ...BODY_ERRORS,
    404: CHAT_NOT_FOUND,
    409: chatConflict(),
    504: CLI_TIMEOUT,
  },
});

const listPermissionsRoute = createRoute({
  method: "get",
  path: "/{process_id}/permissions",
  operationId: "listPermissions",
  tags: ["interactive"],
  summary: "The permission requests waiting for an answer",
  description: "What a client that (re)attaches must answer: the same data as the `permission_request` " +
    "events still unresolved.",
  request: { params: processIdParam },
  responses: {
    200: { description: "Pending requests, oldest first.", ...json(PermissionListSchema) },
    ...PROTECTED_ROUTE_ERRORS,
    404: CHAT_NOT_FOUND,
  },
});

const answerPermissionRoute = createRoute({
  method: "post",
  path: "/{process_id}/permissions/{request_id}",
  operationId: "answerPermission",
  tags: ["interactive"],
  summary: "Allow or deny a tool the CLI asks about",
  description: 'Answers a `permission_request` of a chat started with `"permission_prompt": "client"`. ' +
    "The stream then gets `permission_resolved`.",
  request: {
    params: processIdParam.extend({
      request_id: z.string().openapi({ param: { name: "request_id", in: "path" }, example: "3ea58a60-…" }),
    }),
    body: { required: true, ...json(PermissionAnswerSchema) },
  },
  responses: {
    200: { description: "The CLI got the answer.", ...json(PermissionAnsweredSchema) },
    ...PROTECTED_ROUTE_ERRORS,
    ...BODY_ERRORS,
    403: FORBIDDEN,
    404: PERMISSION_NOT_FOUND,
    409: chatConflict(PERMISSION_CONFLICTS),
  },
});

const updateChatRoute = createRoute({
  method: "patch",
  path: "/{process_id}",
  operationId: "updateChat",
  tags: ["interactive"],
  summary: "Change a running chat's permission mode or model",
  description: "Through the CLI's control protocol, under the same policy as at the start " +
    "(ALLOWED_PERMISSION_MODES, DENIED_FIELDS). The CLI refuses `bypassPermissions` unless the chat started in it.",
  request: { params: processIdParam, body: { required: true, ...json(ChatSettingsSchema) } },
  responses: {
    200: { description: "The settings now in force.", ...json(ChatSettingsSchema) },
    ...PROTECTED_ROUTE_ERRORS,
    ...BODY_ERRORS,
    403: FORBIDDEN,
    404: CHAT_NOT_FOUND,
    409: chatConflict([CLI_REFUSED]),
    504: CLI_TIMEOUT,
  },
});

/** Dependencies of {@link chatControlRoutes}. */
export interface ChatControlRoutesDeps {
  watched: WatchedChats;
  controls: ChatControls;
  logger: Logger;
  auth: MiddlewareHandler;
  maxBodyBytes: number;
  /** How long finished chats are kept, for the 404 message. */
  retainFinishedS: number;
}

/**
 * The routes that talk to a running chat: follow-ups, interrupts, permission answers, settings; mount at
 * `/chat`.
 */
export function chatControlRoutes(deps: ChatControlRoutesDeps): OpenAPIHono {
  const { watched, controls, logger } = deps;
  const lookup = chatLookup(watched, deps.retainFinishedS);
  const find = (processId: string) => lookup(processId).chat;
  const withBody = [deps.auth, jsonBody(deps.maxBodyBytes)];
  const app = new OpenAPIHono();
  // The data of the stream's permission events, named in its description.
  app.openAPIRegistry.register("PermissionRequest", PermissionRequestSchema);
  app.openAPIRegistry.register("PermissionResolved", PermissionResolvedSchema);
  app.openapi({ ...sendMessageRoute, middleware: withBody }, (c) => {
    const { process_id: processId } = c.req.valid("param");
    const accepted = controls.sendMessage(find(processId), c.req.valid("json"));
    logger.info("message sent", { process_id: processId, message_id: accepted.message_id });
    return c.json({ process_id: processId, ...accepted }, 202);
  });
  app.openapi(
    { ...interruptRoute, middleware: [deps.auth, jsonBody(deps.maxBodyBytes, { optional: true })] },
    async (c) => {
      const { process_id: processId } = c.req.valid("param");
      const result = await controls.interrupt(find(processId), c.req.valid("json")?.cancel_queued ?? false);
      logger.info("turn interrupted", { process_id: processId });
      return c.json({ process_id: processId, ...result }, 200);
    },
  );
  app.openapi({ ...listPermissionsRoute, middleware: deps.auth }, (c) => {
    const { process_id: processId } = c.req.valid("param");
    return c.json({ process_id: processId, permissions: controls.permissions(find(processId)) }, 200);
  });
  app.openapi({ ...answerPermissionRoute, middleware: withBody }, (c) => {
    const { process_id: processId, request_id: requestId } = c.req.valid("param");
    const answer = c.req.valid("json");
    controls.answerPermission(find(processId), requestId, answer);
    logger.info("permission answered", {
      process_id: processId,
      request_id: requestId,
      behavior: answer.behavior,
    });
    return c.json({ process_id: processId, request_id: requestId, behavior: answer.behavior }, 200);
  });
  app.openapi({ ...updateChatRoute, middleware: withBody }, async (c) => {
    const { process_id: processId } = c.req.valid("param");
    const applied = await controls.updateSettings(find(processId), c.req.valid("json"));
    logger.info("chat settings changed", { process_id: processId, ...applied });
    return c.json(applied, 200);
  });
  return app;
}
