import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { CancelProcess } from "../application/cancel_process.ts";
import type { ChatControls } from "../application/chat_controls.ts";
import type { ChatSlots } from "../application/chat_slots.ts";
import type { Health } from "../application/health.ts";
import type { ListProcesses } from "../application/list_processes.ts";
import type { Logger } from "../application/logger.ts";
import type { Metrics } from "../application/metrics.ts";
import type { WarmPoolStats } from "../application/warm_pool_stats.ts";
import type { StartWatchedChat } from "../application/start_watched_chat.ts";
import type { WatchedChats } from "../application/watched_chats.ts";
import type { Clock } from "../domain/clock.ts";
import { AuthThrottle } from "./auth_throttle.ts";
import { basicAuth } from "./basic_auth.ts";
import { createClientAddress } from "./client_address.ts";
import { errorBody, errorResponse } from "./error_response.ts";
import { BASIC_AUTH_SCHEME, SECURITY_SCHEME } from "./openapi_document.ts";
import { originGuard } from "./origin_guard.ts";
import { RefusedLoginLog } from "./refused_login_log.ts";
import { chatRoutes } from "./routes/chat.ts";
import { chatControlRoutes } from "./routes/chat_control.ts";
import { chatWatchRoutes } from "./routes/chat_watch.ts";
import { healthRoutes } from "./routes/health.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { processRoutes } from "./routes/processes.ts";
import { validationHook } from "./validation_hook.ts";

/** Dependencies of {@link createApp}: the use cases and the HTTP settings. */
export interface AppDeps {
  startChat: StartWatchedChat;
  /** The chats that can be watched (running, and finished ones for a while). */
  watched: WatchedChats;
  /** How long finished chats stay attachable, in seconds (for messages). */
  retainFinishedS: number;
  cancelProcess: CancelProcess;
  /** Follow-ups, interrupts, permission answers and settings of running chats. */
  controls: ChatControls;
  listProcesses: ListProcesses;
  health: Health;
  metrics: Metrics;
  slots: ChatSlots;
  /** The warm pool's figures for `/metrics`; absent when it is off. */
  warmPool?: () => WarmPoolStats;
  logger: Logger;
  auth: { user: string; password: string; maxFailures: number; failureWindowMs: number };
  maxBodyBytes: number;
  keepaliveMs: number;
  /** A stream client that takes nothing this long while events wait is cut off; 0 or unset: never. */
  sendTimeoutMs?: number;
  /** Time for the login throttle and the request log (and, through the chat routes, the streams). */
  clock: Clock;
  newId: () => string;
  /** Adds the docs routes (`/openapi.json`, `/docs`, `/redoc`) when given. */
  docs?: (app: OpenAPIHono, protect: boolean) => void;
  docsAuth?: boolean;
  /** Origins whose browser pages may call the API (`*` for any); null: no CORS headers. */
  corsOrigins?: string[] | null;
  /** Proxies (addresses, CIDRs) whose `X-Forwarded-For` names the client; null or absent: none. */
  trustedProxies?: string[] | null;
}

/** The connection info `main.ts` passes to `app.fetch` as its env. */
export interface ServeEnv {
  remoteAddr?: { hostname?: string };
}

function authMiddleware(deps: AppDeps): MiddlewareHandler {
  const { clock, logger } = deps;
  const throttle = new AuthThrottle({
    maxFailures: deps.auth.maxFailures,
    windowMs: deps.auth.failureWindowMs,
    now: () => clock.now(),
  });
  const refusals = new RefusedLoginLog({
    windowMs: deps.auth.failureWindowMs,
    now: () => clock.now(),
    warn: (message, fields) => logger.warn(message, fields),
  });
  return basicAuth({
    user: deps.auth.user,
    password: deps.auth.password,
    throttle,
    clientAddress: createClientAddress({ trustedProxies: deps.trustedProxies ?? null }),
    onFailure: (address, reason) => refusals.refused(address, reason),
  });
}

function corsMiddleware(origins: string[]): MiddlewareHandler {
  return cors({
    origin: origins.includes("*") ? "*" : origins,
    allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: ["Authorization", "Content-Type", "Last-Event-ID"],
    exposeHeaders: ["X-Process-ID", "X-Watch-Token", "X-Session-ID", "Retry-After"],
    maxAge: 600,
  });
}

/** The paths any page may load from anywhere: the health check and the docs. */
function isOpenPath(path: string): boolean {
  return path === "/health" || path === "/openapi.json" || /^\/(docs|redoc)(\/|$)/.test(path);
}

/**
 * The HTTP app: `/health` (open), `/chat`, `/chat/{process_id}`, `/chat/{process_id}/events` (Basic Auth or
 * the chat's watch token), `/processes`, `/metrics` (Basic Auth),
 * the docs, and one JSON error shape for everything that goes wrong. Requests a browser sends for a page of
 * another origin are refused (`originGuard`) on every route but `/health` and the docs. Each route is declared once, in
 * `interface/routes/`, and invalid input everywhere gets the same 422 from the one `validationHook`.
 */
export function createApp(deps: AppDeps): OpenAPIHono {
  const { clock, logger } = deps;
  const app = new OpenAPIHono({ defaultHook: validationHook });
  // Before auth: a browser's preflight carries no credentials.
  if (deps.corsOrigins && deps.corsOrigins.length > 0) app.use("*", corsMiddleware(deps.corsOrigins));

  app.use("*", async (c, next) => {
    const startedAt = clock.now();
    await next();
    logger.debug("http", {
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      duration_ms: clock.now() - startedAt,
    });
  });

  app.use("*", originGuard({ corsOrigins: deps.corsOrigins ?? null, openPaths: isOpenPath }));

  app.onError((error, c) => {
    const response = errorResponse(c, error);
    if (response) return response;
    logger.error("unexpected error", { method: c.req.method, path: c.req.path, error: String(error) });
    return c.json(errorBody("internal_error", "internal error; see the server log"), 500);
  });
  app.notFound((c) => c.json(errorBody("not_found", `no route for ${c.req.method} ${c.req.path}`), 404));

  const auth = authMiddleware(deps);
  app.openAPIRegistry.registerComponent("securitySchemes", SECURITY_SCHEME, BASIC_AUTH_SCHEME);
  app.route("/health", healthRoutes(deps));
  app.route("/chat", chatRoutes({ ...deps, auth }));
  app.route("/chat", chatWatchRoutes({ ...deps, auth }));
  app.route("/chat", chatControlRoutes({ ...deps, auth }));
  app.route("/processes", processRoutes({ ...deps, auth }));
  app.route("/metrics", metricsRoutes({ ...deps, auth }));

  if (deps.docs) {
    if (deps.docsAuth) {
      for (const path of ["/openapi.json", "/docs", "/docs/*", "/redoc", "/redoc/*"]) app.use(path, auth);
    }
    deps.docs(app, deps.docsAuth ?? false);
  }
  return app;
}
