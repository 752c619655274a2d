import type { Logger } from "../application/logger.ts";

/** The part of `Deno.serve`'s server that {@link serveResilient} uses. */
export interface HttpServerGeneration {
  addr: Deno.NetAddr;
  finished: Promise<void>;
  shutdown(): Promise<void>;
}

/** Options of {@link serveResilient}. */
export interface ResilientServeOptions {
  hostname: string;
  port: number;
  handler: (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => Response | Promise<Response>;
  logger: Logger;
  /** Starts one listener (default `Deno.serve`); throws when it cannot listen. */
  serve?: (
    options: { hostname: string; port: number },
    handler: ResilientServeOptions["handler"],
  ) => HttpServerGeneration;
  /** First and longest wait before listening again, ms (default 50 and 1000). */
  retryMs?: { first: number; max: number };
  setTimeout?: (fn: () => void, ms: number) => number;
  /** Milliseconds now, for the outage's length in the log (default `Date.now`). */
  now?: () => number;
}

/** A server that keeps listening through accept failures. */
export interface ResilientServer {
  /** The address it listens on (its port stays the same across restarts of the listener). */
  addr: Deno.NetAddr;
  /** Settles once {@link ResilientServer.shutdown} is done. */
  finished: Promise<void>;
  /** Stops listening and waits for the open connections, of the current listener and the earlier ones. */
  shutdown(): Promise<void>;
}

function denoServe(options: { hostname: string; port: number }, handler: ResilientServeOptions["handler"]) {
  return Deno.serve({ ...options, onListen: () => {} }, handler);
}

/**
 * `Deno.serve`, except that an error accepting connections does not end the server. Deno ends a server's
 * accept loop on the first accept error, and rejects its `finished`: out of file descriptors (EMFILE,
 * ENFILE) under a flood of idle connections, that is an uncaught error that ends the process. Here the
 * failed listener is replaced by a new one on the same address, after a pause that doubles while listening
 * fails (the descriptors are still taken); connections the failed one had accepted keep being served.
 * While no listener is up, new connections are refused by the kernel. One WARN line per outage, one INFO
 * line when it ends.
 * @param options address, handler, logger (and, for tests, the listener factory and timer)
 * @throws {Error} when the first listener cannot be started (e.g. the address is in use)
 */
export function serveResilient(options: ResilientServeOptions): ResilientServer {
  const { hostname, handler, logger } = options;
  const serve = options.serve ?? denoServe;
  const retry = options.retryMs ?? { first: 50, max: 1000 };
  const later = options.setTimeout ?? setTimeout;
  const now = options.now ?? Date.now;
  const generations: HttpServerGeneration[] = [serve({ hostname, port: options.port }, handler)];
  const port = generations[0].addr.port;
  let stopping = false;
  let outage: { since: number; attempts: number } | null = null;
  const done = Promise.withResolvers<void>();

  const relisten = (waitMs: number) => {
    if (stopping || !outage) return;
    outage.attempts++;
    try {
      watch(serve({ hostname, port }, handler));
    } catch {
      const next = Math.min(waitMs * 2, retry.max);
      later(() => relisten(next), next);
      return;
    }
    logger.info("accepting connections again", { after_ms: now() - outage.since, attempts: outage.attempts });
    outage = null;
  };
  const watch = (generation: HttpServerGeneration) => {
    if (generations.at(-1) !== generation) generations.push(generation);
    generation.finished.catch((error) => {
      if (stopping) return;
      logger.warn("cannot accept connections; listening again", { error: String(error) });
      outage = { since: now(), attempts: 0 };
      later(() => relisten(retry.first), retry.first);
    });
  };
  watch(generations[0]);
  return {
    addr: generations[0].addr,
    finished: done.promise,
    async shutdown() {
      stopping = true;
      await Promise.all(generations.map((generation) => generation.shutdown().catch(() => {})));
      done.resolve();
    },
  };
}
