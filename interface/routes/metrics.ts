import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { DoorMetrics } from "../../application/door_metrics.ts";
import { Metrics } from "../../application/metrics.ts";
import { renderDoorMetrics } from "../door_metrics_text.ts";
import type { WarmPoolStats } from "../../application/warm_pool_stats.ts";
import { PROTECTED_ROUTE_ERRORS } from "../documented_errors.ts";
import { renderMetrics, type SlotGauges } from "../metrics_text.ts";
import { labelNode } from "../node_label.ts";

const metricsRoute = createRoute({
  method: "get",
  path: "/",
  operationId: "metrics",
  tags: ["service"],
  summary: "Prometheus metrics",
  description: "Counters and gauges of the gateway's chats in the Prometheus text exposition format 0.0.4.",
  responses: {
    200: {
      description: "The metrics.",
      content: {
        "text/plain; version=0.0.4": {
          schema: z.string(),
          example: renderMetrics(new Metrics(), { running: 0, queued: 0 }),
        },
      },
    },
    ...PROTECTED_ROUTE_ERRORS,
  },
});

/** `GET /metrics`, behind `auth`; mount at `/metrics`. A node of a cluster labels each sample with its id. */
export function metricsRoutes(
  deps: {
    metrics: Metrics;
    slots: SlotGauges;
    warmPool?: () => WarmPoolStats;
    auth: MiddlewareHandler;
    doorMetrics?: DoorMetrics;
    node?: string;
  },
): OpenAPIHono {
  const labelled = (text: string) => deps.node === undefined ? text : labelNode(text, deps.node);
  const app = new OpenAPIHono();
  app.use("*", deps.auth);
  app.openapi(metricsRoute, (c) =>
    c.text(
      labelled(
        renderMetrics(deps.metrics, deps.slots, deps.warmPool?.()) +
          (deps.doorMetrics ? renderDoorMetrics(deps.doorMetrics) : ""),
      ),
      200,
      { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" },
    ));
  return app;
}
