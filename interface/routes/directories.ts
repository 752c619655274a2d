import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { ListDirectories } from "../../application/list_directories.ts";
import { documentedError, PROTECTED_ROUTE_ERRORS } from "../documented_errors.ts";
import { DirectoryListSchema } from "../session_schemas.ts";

const OUTSIDE = 'path "/etc" (real path "/etc") is outside the allowed roots: /home/user';
const FORBIDDEN_ORIGIN = PROTECTED_ROUTE_ERRORS[403].content["application/json"].examples.forbidden_origin;

const listDirectoriesRoute = createRoute({
  method: "get",
  path: "/",
  operationId: "listDirectories",
  tags: ["sessions"],
  summary: "Subdirectories to pick a working directory from",
  description: "The subdirectories of `path` (without it: of the one root, or the roots themselves) inside " +
    "ALLOWED_CWD_ROOTS, or inside the service user's home when no roots are set; symlinks are followed and " +
    "those leading outside are left out, as are hidden ones.",
  request: {
    query: z.object({
      path: z.string().startsWith("/", "must be an absolute path").optional().openapi({
        description: "The directory to list.",
        example: "/home/user/projects",
      }),
    }),
  },
  responses: {
    200: {
      description: "Its subdirectories.",
      content: { "application/json": { schema: DirectoryListSchema } },
    },
    ...PROTECTED_ROUTE_ERRORS,
    403: documentedError(
      "`forbidden`: `path` (symlinks resolved) lies outside the allowed area; or `forbidden_origin`.",
      [
        { code: "forbidden", message: OUTSIDE, details: [{ field: "path", message: OUTSIDE }] },
        {
          code: "forbidden_origin",
          message: FORBIDDEN_ORIGIN.value.error.message,
          summary: FORBIDDEN_ORIGIN.summary,
        },
      ],
    ),
    404: documentedError("`not_found`: nothing exists at `path`.", [
      { code: "not_found", message: 'path "/home/user/gone" does not exist' },
    ]),
    422: documentedError("`validation_error`: `path` is relative or not a directory.", [{
      code: "validation_error",
      message: 'path "/home/user/notes.txt" is not a directory',
      details: [{ field: "path", message: 'path "/home/user/notes.txt" is not a directory' }],
    }]),
  },
});

/** `GET /directories`, behind `auth`; mount at `/directories`. */
export function directoryRoutes(
  deps: { listDirectories: ListDirectories; auth: MiddlewareHandler },
): OpenAPIHono {
  const app = new OpenAPIHono();
  app.use("*", deps.auth);
  app.openapi(
    listDirectoriesRoute,
    async (c) => c.json(await deps.listDirectories(c.req.valid("query").path), 200),
  );
  return app;
}
