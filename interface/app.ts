import { OpenAPIHono } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import type { CancelProcess } from "../application/cancel_process.ts";
import type { ChatSlots } from "../application/chat_slots.ts";
import type { Health } from "../application/health.ts";
import type { ListProcesses } from "../application/list_processes.ts";
import type { Logger } from "../application/logger.ts";
import type { Metrics } from "../application/metrics.ts";
import type { StartChat } from "../application/start_chat.ts";
import type { ChatRequest } from "../domain/chat_request.ts";
import type { Clock } from "../domain/clock.ts";
import { AuthThrottle } from "./auth_throttle.ts";
import { basicAuth } from "./basic_auth.ts";
import { errorBody, errorResponse, fieldProblems, HttpError } from "./error_response.ts";
import { renderMetrics } from "./metrics_text.ts";
import { readJsonBody } from "./read_json_body.ts";
import { ChatRequestSchema } from "./schemas.ts";
import { sseBody } from "./sse.ts";

/** Dependencies of {@link createApp}: the use cases and the HTTP settings. */
export interface AppDeps {
  startChat: StartChat;
  cancelProcess: CancelProcess;
  listProcesses: ListProcesses;
  health: Health;
  metrics: Metrics;
  slots: ChatSlots;
  logger: Logger;
  auth: { user: string; password: string; maxFailures: number; failureWindowMs: number };
  maxBodyBytes: number;
  keepaliveMs: number;
  clock: Clock;
  newId: () => string;
  /** Adds the docs routes (`/openapi.json`, `/docs`, `/redoc`) when given. */
  docs?: (app: OpenAPIHono, protect: boolean) => void;
  docsAuth?: boolean;
  /** Origins whose browser pages may call the API (`*` for any); null: no CORS headers. */
  corsOrigins?: string[] | null;
}

/** The connection info `main.ts` passes to `app.fetch` as its env. */
export interface ServeEnv {
  remoteAddr?: { hostname?: string };
}

function clientAddress(_request: Request, env: unknown): string {
  return (env as ServeEnv | undefined)?.remoteAddr?.hostname ?? "unknown";
}

/**
 * The HTTP app: `/health` (open), `/chat`, `/chat/{process_id}`, `/processes`, `/metrics` (Basic Auth),
 * the docs, and one JSON error shape for everything that goes wrong.
 */
export function createApp(deps: AppDeps): OpenAPIHono {
  const { logger } = deps;
  const app = new OpenAPIHono();
  const throttle = new AuthThrottle({
    maxFailures: deps.auth.maxFailures,
    windowMs: deps.auth.failureWindowMs,
    now: () => deps.clock.now(),
  });
  const auth = basicAuth({
    user: deps.auth.user,
    password: deps.auth.password,
    throttle,
    clientAddress,
    onFailure: (address, reason) => logger.warn("login refused", { address, reason }),
  });

  const origins = deps.corsOrigins;
  if (origins && origins.length > 0) {
    // Before auth: a browser's preflight carries no credentials.
    app.use(
      "*",
      cors({
        origin: origins.includes("*") ? "*" : origins,
        allowMethods: ["GET", "POST", "DELETE", "OPTIONS"],
        allowHeaders: ["Authorization", "Content-Type"],
        exposeHeaders: ["X-Process-ID", "Retry-After"],
        maxAge: 600,
      }),
    );
  }

  app.use("*", async (c, next) => {
    const startedAt = deps.clock.now();
    await next();
    logger.debug("http", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: deps.clock.now() - startedAt,
    });
  });

  app.onError((error, c) => {
    const response = errorResponse(c, error);
    if (response) return response;
    logger.error("unexpected error", { method: c.req.method, path: c.req.path, error: String(error) });
    return c.json(errorBody("internal_error", "internal error; see the server log"), 500);
  });
  app.notFound((c) => c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404));

  app.get("/health", async (c) => {
    const report = await deps.health();
    return c.json(report, report.status === "ok" ? 200 : 503);
  });

  app.use("/chat", auth);
  app.use("/chat/*", auth);
  app.use("/processes", auth);
  app.use("/metrics", auth);

  app.post("/chat", async (c) => {
    const input = await readJsonBody(c.req.raw, deps.maxBodyBytes);
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      throw new HttpError(400, "invalid_json", "request body must be a JSON object");
    }
    const parsed = ChatRequestSchema.safeParse(input);
    if (!parsed.success) {
      const details = fieldProblems(parsed.error, input);
      throw new HttpError(
        422,
        "validation_error",
        details.map((problem) => problem.message).join("; "),
        details,
      );
    }
    const requestId = deps.newId();
    const chat = await deps.startChat(parsed.data as ChatRequest, { requestId });
    const body = sseBody(chat, {
      keepaliveMs: deps.keepaliveMs,
      clock: deps.clock,
      onClientGone: () => logger.info("client disconnected", { process_id: chat.id, request_id: requestId }),
    });
    return new Response(body, {
      headers: {
        "Content-Type": "text/event-stream; charset=utf-8",
        "Cache-Control": "no-cache",
        "X-Accel-Buffering": "no",
        "X-Process-ID": chat.id,
      },
    });
  });

  app.delete("/chat/:process_id", (c) => {
    const cancelled = deps.cancelProcess(c.req.param("process_id"));
    logger.info("cancel requested", { process_id: cancelled.process_id });
    return c.json(cancelled);
  });

  app.get("/processes", (c) => c.json(deps.listProcesses()));

  app.get("/metrics", (c) =>
    c.text(renderMetrics(deps.metrics, deps.slots), 200, {
      "Content-Type": "text/plain; version=0.0.4; charset=utf-8",
    }));

  if (deps.docs) {
    if (deps.docsAuth) {
      for (const path of ["/openapi.json", "/docs", "/docs/*", "/redoc", "/redoc/*"]) app.use(path, auth);
    }
    deps.docs(app, deps.docsAuth ?? false);
  }
  return app;
}
