import type { Logger } from "../application/logger.ts";
import type { Config } from "./config.ts";
import { ConfigError } from "./config.ts";
import { serveBehindGate } from "./connection_gate.ts";
import { type ResilientServer, serveResilient } from "./resilient_http_server.ts";

/** Answers one request; `info` says who sent it. */
export type RequestHandler = (
  request: Request,
  info: Deno.ServeHandlerInfo<Deno.NetAddr>,
) => Response | Promise<Response>;

/**
 * Serves `handler` on the configured address, through accept failures, behind the connection gate when
 * `MAX_CONNECTIONS` or `HEADER_TIMEOUT_S` is set.
 * @param address where to listen, and the connection limits
 * @param handler what answers each request
 * @param logger where accept failures are reported
 * @throws {ConfigError} when the address cannot be listened on
 */
export function listen(address: Config["server"], handler: RequestHandler, logger: Logger): ResilientServer {
  try {
    const options = { hostname: address.host, port: address.port, handler, logger };
    const gated = address.maxConnections > 0 || address.headerTimeoutMs > 0;
    return gated ? serveBehindGate({ ...options, ...address }) : serveResilient(options);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`cannot listen on HOST=${address.host} PORT=${address.port}: ${reason}`);
  }
}

/** The base URL of a listening address (IPv6 in brackets). */
export function urlOf(addr: Deno.NetAddr): string {
  const host = addr.hostname.includes(":") ? `[${addr.hostname}]` : addr.hostname;
  return `http://${host}:${addr.port}`;
}
