import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { ProcessList } from "../../application/list_processes.ts";
import { PROTECTED_ROUTE_ERRORS } from "../documented_errors.ts";
import { ProcessListSchema } from "../response_schemas.ts";

const listProcessesRoute = createRoute({
  method: "get",
  path: "/",
  operationId: "listProcesses",
  tags: ["chat"],
  summary: "List running and queued chats",
  responses: {
    200: {
      description: "Every chat the gateway is running or has queued.",
      content: { "application/json": { schema: ProcessListSchema } },
    },
    ...PROTECTED_ROUTE_ERRORS,
  },
});

/** `GET /processes`, behind `auth`; mount at `/processes`. */
export function processRoutes(
  deps: { listProcesses: () => ProcessList | Promise<ProcessList>; auth: MiddlewareHandler },
): OpenAPIHono {
  const app = new OpenAPIHono();
  app.use("*", deps.auth);
  app.openapi(listProcessesRoute, async (c) => c.json(await deps.listProcesses(), 200));
  return app;
}
