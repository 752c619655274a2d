/**
 * A throwaway `redis-server` (Debian's package) for the cluster tests and the bench: on a free loopback port,
 * with its own temporary directory and no persistence, killed and removed by `stop`.
 *
 * @module
 */

/** A Redis started by {@link startRedis}. */
export interface RedisServer {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** The server's pid (changes with {@link RedisServer.restart}). */
  pid(): number;
  /** Kills it (SIGKILL: as a crash) and starts it again, empty, on the same port. */
  restart(options?: { downMs?: number }): Promise<void>;
  /** Kills it and removes its directory. */
  stop(): Promise<void>;
}

/** A loopback port nobody listens on now. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** True once `PING` on the port answers `+PONG`. */
async function pings(port: number): Promise<boolean> {
  try {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    try {
      await conn.write(new TextEncoder().encode("PING\r\n"));
      const buffer = new Uint8Array(16);
      const read = await conn.read(buffer);
      return new TextDecoder().decode(buffer.subarray(0, read ?? 0)).startsWith("+PONG");
    } finally {
      conn.close();
    }
  } catch {
    return false;
  }
}

function spawn(port: number, dir: string): Deno.ChildProcess {
  return new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--daemonize",
      "no",
      "--loglevel",
      "warning",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function untilPings(port: number, child: Deno.ChildProcess): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await pings(port))) {
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      await child.status;
      throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * Starts `redis-server` and waits until it answers.
 * @throws {Error} when it does not start within 10 s (or is not installed)
 */
export async function startRedis(): Promise<RedisServer> {
  const dir = await Deno.makeTempDir({ prefix: "c2a-redis-" });
  const port = freePort();
  let child = spawn(port, dir);
  await untilPings(port, child);
  const kill = async () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.status;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    pid: () => child.pid,
    async restart(options = {}) {
      await kill();
      await new Promise((resolve) => setTimeout(resolve, options.downMs ?? 0));
      child = spawn(port, dir);
      await untilPings(port, child);
    },
    async stop() {
      await kill();
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    },
  };
}
