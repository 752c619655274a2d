import type { Logger } from "../application/logger.ts";
import { type ResilientServer, serveResilient } from "./resilient_http_server.ts";

/** Options of {@link serveBehindGate}. */
export interface GateOptions {
  hostname: string;
  port: number;
  handler: (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => Response | Promise<Response>;
  logger: Logger;
  /** Connections held open at once; further ones are closed as soon as they are accepted (0: no limit). */
  maxConnections: number;
  /** Time a new connection has to send its first request's headers, ms (0: no limit). */
  headerTimeoutMs: number;
}

/** The most a first request's headers may take; a connection that sends more without ending them is dropped. */
const MAX_HEAD_BYTES = 64 * 1024;
const HEAD_END = [13, 10, 13, 10];

/** True when `\r\n\r\n` occurs in `bytes` in a place that ends after `from`. */
function headEnds(bytes: Uint8Array, from: number): boolean {
  for (let i = Math.max(0, from - 3); i + 4 <= bytes.length; i++) {
    if (HEAD_END.every((byte, k) => bytes[i + k] === byte)) return true;
  }
  return false;
}

function closeQuietly(conn: { close(): void } | undefined): void {
  try {
    conn?.close();
  } catch {
    // already closed
  }
}

/**
 * Reads until the first request's headers are complete: those bytes (and any that came with them), or null
 * when the client closed, sent too much, or took longer than `timeoutMs` (its connection is then closed).
 */
async function readHead(conn: Deno.TcpConn, timeoutMs: number): Promise<Uint8Array | null> {
  const timer = timeoutMs > 0 ? setTimeout(() => closeQuietly(conn), timeoutMs) : undefined;
  let head = new Uint8Array(0);
  let scanned = 0;
  try {
    while (!headEnds(head, scanned)) {
      scanned = head.length;
      if (head.length >= MAX_HEAD_BYTES) return null;
      const chunk = new Uint8Array(16 * 1024);
      const read = await conn.read(chunk);
      if (read === null) return null;
      const grown = new Uint8Array(head.length + read);
      grown.set(head);
      grown.set(chunk.subarray(0, read), head.length);
      head = grown;
    }
    return head;
  } catch {
    return null;
  } finally {
    clearTimeout(timer);
  }
}

/** What the gate's relays share. */
interface Relays {
  backendPort: number;
  headerTimeoutMs: number;
  /** The client behind each relay, by the local port of the relay's connection to the server. */
  clients: Map<number, Deno.NetAddr>;
  /** Every socket the relays hold (clients' and their own to the server), to close them at shutdown. */
  conns: Set<Deno.Conn>;
  /** Client connections held now. */
  admitted: number;
}

/** Passes one client connection on to the server, once its first request's headers are in. */
async function relay(conn: Deno.TcpConn, relays: Relays): Promise<void> {
  relays.admitted++;
  relays.conns.add(conn);
  let upstream: Deno.TcpConn | undefined;
  try {
    const head = await readHead(conn, relays.headerTimeoutMs);
    if (!head) return;
    upstream = await Deno.connect({ hostname: "127.0.0.1", port: relays.backendPort });
    relays.conns.add(upstream);
    relays.clients.set(upstream.localAddr.port, conn.remoteAddr);
    const writer = upstream.writable.getWriter();
    await writer.write(head);
    writer.releaseLock();
    const up = upstream;
    // A client that stops sending (half-closes) may still be answered; once the server has closed its
    // side, the connection is over, whatever the client still does.
    conn.readable.pipeTo(up.writable, { preventClose: true }).then(() => up.closeWrite()).catch(() => {});
    await up.readable.pipeTo(conn.writable, { preventClose: true }).catch(() => {});
  } catch {
    // The client or the server went away: both sides are closed below.
  } finally {
    relays.admitted--;
    if (upstream) relays.clients.delete(upstream.localAddr.port);
    for (const side of [conn, upstream]) {
      closeQuietly(side);
      if (side) relays.conns.delete(side);
    }
  }
}

/**
 * Serves `handler` behind a gate of our own that accepts the TCP connections, so that what a client that
 * never logs in can hold is bounded: at most `maxConnections` connections, each closed unless its first
 * request's headers arrive within `headerTimeoutMs` (slowloris). `Deno.serve` offers neither and does not
 * show a connection before its first request, so the gate passes each admitted connection on, bytes as they
 * come, to the real server listening on a loopback port, and tells the handler the client's address in
 * place of its own. Accept errors (EMFILE, ENFILE) pause accepting; they never end the server. The cost: two
 * more descriptors per connection and one more copy of each byte.
 * @param options address, handler, logger and the two bounds
 * @throws {Error} when the address cannot be listened on
 */
export function serveBehindGate(options: GateOptions): ResilientServer {
  const { logger, maxConnections, headerTimeoutMs } = options;
  const clients = new Map<number, Deno.NetAddr>();
  const backend = serveResilient({
    hostname: "127.0.0.1",
    port: 0,
    logger,
    handler: (request, info) =>
      options.handler(request, { ...info, remoteAddr: clients.get(info.remoteAddr.port) ?? info.remoteAddr }),
  });
  let listener: Deno.TcpListener;
  try {
    listener = Deno.listen({ hostname: options.hostname, port: options.port });
  } catch (error) {
    backend.shutdown();
    throw error;
  }
  const relays: Relays = {
    backendPort: backend.addr.port,
    headerTimeoutMs,
    clients,
    conns: new Set(),
    admitted: 0,
  };

  const accepting = acceptLoop(listener, logger, (conn) => {
    if (maxConnections > 0 && relays.admitted >= maxConnections) {
      closeQuietly(conn);
      return;
    }
    relay(conn, relays);
  });
  return {
    addr: { transport: "tcp", hostname: listener.addr.hostname, port: listener.addr.port },
    finished: backend.finished,
    async shutdown() {
      closeQuietly(listener);
      await accepting;
      await backend.shutdown();
      for (const conn of relays.conns) closeQuietly(conn);
    },
  };
}

/** Accepts until the listener is closed; an accept error pauses (doubling up to 1 s) and is logged once. */
async function acceptLoop(
  listener: Deno.TcpListener,
  logger: Logger,
  admit: (conn: Deno.TcpConn) => void,
): Promise<void> {
  let pauseMs = 0;
  for (;;) {
    let conn: Deno.TcpConn;
    try {
      conn = await listener.accept();
    } catch (error) {
      if (error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted) return;
      if (pauseMs === 0) logger.warn("cannot accept connections; retrying", { error: String(error) });
      pauseMs = Math.min(Math.max(pauseMs * 2, 10), 1000);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      continue;
    }
    if (pauseMs > 0) logger.info("accepting connections again");
    pauseMs = 0;
    admit(conn);
  }
}
