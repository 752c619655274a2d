/**
 * Floods of idle TCP connections against a server started by `spawnServer`, for the connection tests.
 *
 * @module
 */
import { fdCount } from "./proc_stats.ts";
import type { ServerProcess } from "./server_process.ts";
import { waitFor } from "./wait_for.ts";

/** Opens up to `count` TCP connections to the loopback `port` that send nothing; refused ones are skipped. */
export async function openIdle(port: number, count: number): Promise<Deno.TcpConn[]> {
  const conns: Deno.TcpConn[] = [];
  for (let i = 0; i < count; i++) {
    try {
      conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    } catch {
      // Refused (no listener up, or the backlog full): the flood goes on.
    }
  }
  return conns;
}

/** Closes each connection that is still open. */
export function closeAll(conns: Deno.TcpConn[]): void {
  for (const conn of conns.splice(0)) {
    try {
      conn.close();
    } catch {
      // already closed
    }
  }
}

/** Settles with true once the server has closed `conn` (a read meets the end of the stream or an error). */
export async function closedByServer(conn: Deno.TcpConn): Promise<boolean> {
  try {
    return (await conn.read(new Uint8Array(1024))) === null;
  } catch {
    return true;
  }
}

/** The status of `GET /health` on a new connection of `client`, or 0 when the connection fails. */
export async function healthStatus(url: string, client: Deno.HttpClient): Promise<number> {
  try {
    const response = await fetch(`${url}/health`, { client, signal: AbortSignal.timeout(5000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 0;
  }
}

/**
 * Ends a flood: closes its connections, then waits (15 s at most each) until `/health` answers 200 and the
 * server holds no more file descriptors than `baselineFds`.
 * @param client a client that keeps no connection open (`poolMaxIdlePerHost: 0`), so it adds no fd
 */
export async function endFlood(
  server: ServerProcess,
  conns: Deno.TcpConn[],
  { client, baselineFds }: { client: Deno.HttpClient; baselineFds: number },
): Promise<void> {
  closeAll(conns);
  await waitFor(
    async () => (await healthStatus(server.url, client)) === 200,
    "/health to answer again",
    15_000,
  );
  const pid = server.child.pid;
  await waitFor(() => fdCount(pid) <= baselineFds, `the server's fds back to ${baselineFds}`, 15_000);
}
