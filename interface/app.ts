import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { CancelProcess } from "../application/cancel_process.ts";
import type { ChatControls } from "../application/chat_controls.ts";
import type { ChatSlots } from "../application/chat_slots.ts";
import type { Cluster } from "../application/cluster.ts";
import type { Health } from "../application/health.ts";
import type { ListDirectories } from "../application/list_directories.ts";
import type { ListProcesses, ProcessList } from "../application/list_processes.ts";
import type { Logger } from "../application/logger.ts";
import type { Metrics } from "../application/metrics.ts";
import type { Sessions } from "../application/sessions.ts";
import type { WarmPoolStats } from "../application/warm_pool_stats.ts";
import type { StartWatchedChat } from "../application/start_watched_chat.ts";
import type { WatchedChats } from "../application/watched_chats.ts";
import type { Clock } from "../domain/clock.ts";
import type { DoorMetrics } from "../application/door_metrics.ts";
import type { StartDoorChat } from "../application/start_door_chat.ts";
import { apiKeyAuth } from "./api_keys.ts";
import { AuthThrottle } from "./auth_throttle.ts";
import { basicAuth } from "./basic_auth.ts";
import { createClientAddress } from "./client_address.ts";
import { clusterRelay } from "./cluster_relay.ts";
import { errorBody, errorResponse } from "./error_response.ts";
import {
  API_KEY_HEADER_SCHEME,
  API_KEY_SCHEMES,
  BASIC_AUTH_SCHEME,
  BEARER_AUTH_SCHEME,
  SECURITY_SCHEME,
} from "./openapi_document.ts";
import { originGuard } from "./origin_guard.ts";
import { RefusedLoginLog } from "./refused_login_log.ts";
import { anthropicRoutes } from "./routes/anthropic.ts";
import { chatRoutes } from "./routes/chat.ts";
import { chatControlRoutes } from "./routes/chat_control.ts";
import { chatWatchRoutes } from "./routes/chat_watch.ts";
import { directoryRoutes } from "./routes/directories.ts";
import { healthRoutes } from "./routes/health.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { openAiRoutes } from "./routes/openai.ts";
import { processRoutes } from "./routes/processes.ts";
import { sessionRoutes } from "./routes/sessions.ts";
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
  /** This node's chats, or (a node of a cluster) every node's. */
  listProcesses: ListProcesses | (() => Promise<ProcessList>);
  /** The CLI's saved sessions (`/sessions`). */
  sessions: Sessions;
  /** Subdirectories to pick a cwd from (`/directories`). */
  listDirectories: ListDirectories;
  health: Health;
  metrics: Metrics;
  slots: ChatSlots;
  /** The warm pool's figures for `/metrics`; absent when it is off. */
  warmPool?: () => WarmPoolStats;
  logger: Logger;
  /** Basic Auth, and the API keys accepted as `Authorization: Bearer` or `x-api-key` (none when absent). */
  auth: { user: string; password: string; maxFailures: number; failureWindowMs: number; apiKeys?: string[] };
  /** The OpenAI- and Anthropic-compatible doors under `/v1`, when given. */
  doors?: {
    startDoorChat: StartDoorChat;
    doorMetrics: DoorMetrics;
    toolTrace: boolean;
    models: readonly string[];
  };
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
  /** Adds the web console (`/ui`) behind the given auth when given. */
  console?: (app: OpenAPIHono, auth: MiddlewareHandler) => void;
  /** Origins whose browser pages may call the API (`*` for any); null: no CORS headers. */
  corsOrigins?: string[] | null;
  /** Proxies (addresses, CIDRs) whose `X-Forwarded-For` names the client; null or absent: none. */
  trustedProxies?: string[] | null;
  /** Set when this gateway is one node of a cluster: chats of other nodes are served through it. */
  cluster?: Cluster;
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
  const clientAddress = createClientAddress({ trustedProxies: deps.trustedProxies ?? null });
  // A node of a cluster counts the failures every node sees.
  const shared = deps.cluster?.shareLoginFailures((address) => throttle.recordFailure(address));
  const onFailure = (address: string, reason: "throttled" | "wrong credentials") => {
    refusals.refused(address, reason);
    if (reason === "wrong credentials") shared?.(address);
  };
  const basic = basicAuth({
    user: deps.auth.user,
    password: deps.auth.password,
    throttle,
    clientAddress,
    onFailure,
  });
  return apiKeyAuth({ keys: deps.auth.apiKeys ?? [], basic, throttle, clientAddress, onFailure });
}

function corsMiddleware(origins: string[]): MiddlewareHandler {
  return cors({
    origin: origins.includes("*") ? "*" : origins,
    allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: [
      "Authorization",
      "Content-Type",
      "Last-Event-ID",
      ...["x-api-key", "anthropic-version", "anthropic-beta", "anthropic-dangerous-direct-browser-access"],
      ...["X-Claude-Cwd", "X-Session-ID", "X-Claude-Tool-Trace"],
    ],
    exposeHeaders: ["X-Process-ID", "X-Watch-Token", "Retry-After", "X-Session-ID", "X-Claude-Cwd"],
    maxAge: 600,
  });
}

/** The paths any page may load from anywhere: the health check and the docs. */
function isOpenPath(path: string): boolean {
  return path === "/health" || path === "/openapi.json" || /^\/(docs|redoc)(\/|$)/.test(path);
}

/**
 * The HTTP app: `/health` (open), `/chat`, `/chat/{process_id}`, `/chat/{process_id}/events` (Basic Auth or
 * the chat's watch token), `/processes`, `/metrics`, `/sessions`, `/directories`, the console `/ui` (Basic Auth
 * or an API key), the compatible doors under `/v1` (Basic Auth or an API key),
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
  app.openAPIRegistry.registerComponent("securitySchemes", API_KEY_SCHEMES.bearer, BEARER_AUTH_SCHEME);
  app.openAPIRegistry.registerComponent("securitySchemes", API_KEY_SCHEMES.header, API_KEY_HEADER_SCHEME);
  app.route("/health", healthRoutes(deps));
  if (deps.cluster) {
    const relay = clusterRelay({ ...deps, cluster: deps.cluster, auth });
    app.use("/chat/:process_id", relay);
    app.use("/chat/:process_id/*", relay);
  }
  app.route("/chat", chatRoutes({ ...deps, auth }));
  app.route("/chat", chatWatchRoutes({ ...deps, auth }));
  app.route("/chat", chatControlRoutes({ ...deps, auth }));
  app.route("/processes", processRoutes({ ...deps, auth }));
  app.route(
    "/metrics",
    metricsRoutes({ ...deps, doorMetrics: deps.doors?.doorMetrics, auth, node: deps.cluster?.nodeId }),
  );
  app.route("/sessions", sessionRoutes({ ...deps, auth }));
  app.route("/directories", directoryRoutes({ ...deps, auth }));
  deps.console?.(app, auth);
  if (deps.doors) {
    const doors = { ...deps, ...deps.doors, auth };
    app.route("/v1", openAiRoutes(doors));
    app.route("/v1", anthropicRoutes(doors));
  }

  if (deps.docs) {
    if (deps.docsAuth) {
      for (const path of ["/openapi.json", "/docs", "/docs/*", "/redoc", "/redoc/*"]) app.use(path, auth);
    }
    deps.docs(app, deps.docsAuth ?? false);
  }
  return app;
}
