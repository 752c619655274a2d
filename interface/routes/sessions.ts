import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { Sessions } from "../../application/sessions.ts";
import { documentedError, PROTECTED_ROUTE_ERRORS } from "../documented_errors.ts";
import { EXAMPLE_PROCESS_ID, EXAMPLE_SESSION_ID } from "../openapi_examples.ts";
import {
  SessionDeletedSchema,
  SessionListSchema,
  type SessionListView,
  SessionTranscriptSchema,
} from "../session_schemas.ts";

const OUTSIDE_ROOTS =
  `session "${EXAMPLE_SESSION_ID}" belongs to "/etc", which is outside the allowed roots: ` +
  "/home/user/projects";
const CWD_OUTSIDE = 'cwd "/etc" (real path "/etc") is outside the allowed roots: /home/user/projects';
const FORBIDDEN_ORIGIN = PROTECTED_ROUTE_ERRORS[403].content["application/json"].examples.forbidden_origin;

/** 403: outside the roots, or another origin's page. */
function forbidden(description: string, message: string, field: string) {
  return documentedError(`\`forbidden\`: ${description}; or \`forbidden_origin\`.`, [
    { code: "forbidden", message, details: [{ field, message }] },
    {
      code: "forbidden_origin",
      message: FORBIDDEN_ORIGIN.value.error.message,
      summary: FORBIDDEN_ORIGIN.summary,
    },
  ]);
}

const SESSION_NOT_FOUND = documentedError("`not_found`: no transcript of this session exists.", [
  { code: "not_found", message: `session "${EXAMPLE_SESSION_ID}" not found` },
]);
const SESSION_FORBIDDEN = forbidden(
  "with ALLOWED_CWD_ROOTS, the session was recorded in a directory outside them",
  OUTSIDE_ROOTS,
  "session_id",
);

const sessionIdParam = z.object({
  session_id: z.uuid().openapi({
    param: { name: "session_id", in: "path" },
    description: "A CLI session id (from the `init` line, the `done` event, or `GET /sessions`).",
    example: EXAMPLE_SESSION_ID,
  }),
});

const listSessionsRoute = createRoute({
  method: "get",
  path: "/",
  operationId: "listSessions",
  tags: ["sessions"],
  summary: "The sessions the CLI saved for a directory, newest first",
  description: "Read from the CLI's own transcripts (`~/.claude/projects/<directory>/<session>.jsonl`). " +
    "Pass `session_id` of one to `POST /chat` (same `cwd`) to continue it.",
  request: {
    query: z.object({
      cwd: z.string().startsWith("/", "must be an absolute path").openapi({
        description: "The working directory the sessions were recorded in.",
        example: "/home/user/projects/myapp",
      }),
      offset: z.coerce.number().int().min(0).default(0).openapi({
        description: "Sessions to skip.",
        example: 0,
      }),
      limit: z.coerce.number().int().min(1).max(100).default(20).openapi({
        description: "Sessions per page (1–100).",
        example: 20,
      }),
    }),
  },
  responses: {
    200: {
      description: "One page of sessions.",
      content: { "application/json": { schema: SessionListSchema } },
    },
    ...PROTECTED_ROUTE_ERRORS,
    403: forbidden("with ALLOWED_CWD_ROOTS, `cwd` (symlinks resolved) lies outside them", CWD_OUTSIDE, "cwd"),
    422: documentedError("`validation_error`: `cwd` is missing, relative or no directory; or a bad page.", [{
      code: "validation_error",
      message: 'cwd "/home/user/gone" does not exist',
      details: [{ field: "cwd", message: 'cwd "/home/user/gone" does not exist' }],
    }]),
  },
});

const getSessionRoute = createRoute({
  method: "get",
  path: "/{session_id}",
  operationId: "getSession",
  tags: ["sessions"],
  summary: "A session's transcript",
  description:
    "Its messages in order: the user's prompts, the assistant's text (Markdown) and thinking, and " +
    "each tool call with its input and result, with timestamps.",
  request: { params: sessionIdParam },
  responses: {
    200: {
      description: "The transcript.",
      content: { "application/json": { schema: SessionTranscriptSchema } },
    },
    ...PROTECTED_ROUTE_ERRORS,
    403: SESSION_FORBIDDEN,
    404: SESSION_NOT_FOUND,
  },
});

const deleteSessionRoute = createRoute({
  method: "delete",
  path: "/{session_id}",
  operationId: "deleteSession",
  tags: ["sessions"],
  summary: "Delete a session's transcript",
  description: "Removes the CLI's transcript of the session (it can no longer be continued). A 409 while a " +
    "running or queued chat writes it.",
  request: { params: sessionIdParam },
  responses: {
    200: { description: "Deleted.", content: { "application/json": { schema: SessionDeletedSchema } } },
    ...PROTECTED_ROUTE_ERRORS,
    403: SESSION_FORBIDDEN,
    404: SESSION_NOT_FOUND,
    409: documentedError("`session_busy`: a running or queued chat writes this session.", [{
      code: "session_busy",
      message:
        `session "${EXAMPLE_SESSION_ID}" is being written by running process "${EXAMPLE_PROCESS_ID}"; ` +
        "cancel it first",
    }]),
  },
});

/** `GET /sessions`, `GET /sessions/{session_id}`, `DELETE /sessions/{session_id}`, behind `auth`. */
export function sessionRoutes(deps: { sessions: Sessions; auth: MiddlewareHandler }): OpenAPIHono {
  const { sessions } = deps;
  const app = new OpenAPIHono();
  app.use("*", deps.auth);
  app.openapi(listSessionsRoute, async (c) => {
    const { cwd, offset, limit } = c.req.valid("query");
    const page = await sessions.list(cwd, { offset, limit });
    const next = offset + page.sessions.length;
    const body: SessionListView = { ...page, offset, limit, next_offset: next < page.total ? next : null };
    return c.json(body, 200);
  });
  app.openapi(getSessionRoute, async (c) => c.json(await sessions.get(c.req.valid("param").session_id), 200));
  app.openapi(deleteSessionRoute, async (c) => {
    const { session_id: sessionId } = c.req.valid("param");
    await sessions.remove(sessionId);
    return c.json({ status: "deleted" as const, session_id: sessionId }, 200);
  });
  return app;
}
