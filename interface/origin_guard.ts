import type { MiddlewareHandler } from "hono";
import { HttpError } from "./error_response.ts";

/** Options of {@link originGuard}. */
export interface OriginGuardOptions {
  /** Origins whose pages may call the API (`CORS_ORIGINS`; `*` for any); null: only this server's own. */
  corsOrigins: string[] | null;
  /** Paths anyone may load from anywhere (the health check, the docs pages). */
  openPaths: (path: string) => boolean;
}

/** True when `origin` (an `Origin` header) is the origin the request was sent to, judged by its `Host`. */
function isOwnOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined || origin === "null" || !/^[^/?#@\\\s]+$/.test(host)) return false;
  try {
    const url = new URL(origin);
    // Read the Host as a URL of the origin's scheme, so `example.com:443` matches `https://example.com`.
    return url.host === new URL(`${url.protocol}//${host}`).host;
  } catch {
    return false;
  }
}

/**
 * Cross-site request forgery guard: a request a browser sent on behalf of a page of another site is a 403
 * `forbidden_origin`, before its credentials are looked at. Refused: an `Origin` that is neither this
 * server's (the `Host` the request was sent to) nor in `CORS_ORIGINS`, and a `Sec-Fetch-Site: cross-site`
 * without such an origin (a link or form of another site). Requests without these headers (curl, SDKs)
 * pass: only browsers send them, and browsers always do on the requests that matter (POST, DELETE, fetch).
 */
export function originGuard(options: OriginGuardOptions): MiddlewareHandler {
  const listed = options.corsOrigins ?? [];
  const anyOrigin = listed.includes("*");
  return async (c, next) => {
    if (options.openPaths(c.req.path)) return await next();
    const origin = c.req.header("Origin");
    const allowedOrigin = origin !== undefined &&
      (anyOrigin || listed.includes(origin) || isOwnOrigin(origin, c.req.header("Host")));
    if (origin !== undefined && !allowedOrigin) {
      throw new HttpError(
        403,
        "forbidden_origin",
        `requests from origin ${JSON.stringify(origin)} are not allowed`,
      );
    }
    if (!allowedOrigin && c.req.header("Sec-Fetch-Site") === "cross-site") {
      throw new HttpError(403, "forbidden_origin", "cross-site requests are not allowed");
    }
    await next();
  };
}
