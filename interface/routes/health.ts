import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { Health } from "../../application/health.ts";
import { PROTECTED_ROUTE_ERRORS } from "../documented_errors.ts";
import { HealthSchema } from "../response_schemas.ts";

const healthRoute = createRoute({
  method: "get",
  path: "/",
  operationId: "health",
  tags: ["service"],
  summary: "Is the Claude Code CLI available",
  description: "Open to everyone (no auth). Reports the CLI's path and `claude --version`.",
  security: [],
  responses: {
    200: {
      description: "The CLI is there and runs.",
      content: { "application/json": { schema: HealthSchema } },
    },
    503: {
      description: "The CLI is missing or does not run.",
      content: {
        "application/json": {
          schema: HealthSchema,
          example: {
            status: "error",
            claude_path: null,
            error: "Claude Code CLI not found on PATH or in the usual places",
          },
        },
      },
    },
    500: PROTECTED_ROUTE_ERRORS[500],
  },
});

/** `GET /health`, open to everyone; mount at `/health`. */
export function healthRoutes(deps: { health: Health }): OpenAPIHono {
  const app = new OpenAPIHono();
  app.openapi(healthRoute, async (c) => {
    const report = await deps.health();
    return report.status === "ok" ? c.json(report, 200) : c.json(report, 503);
  });
  return app;
}
