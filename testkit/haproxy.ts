/**
 * HAProxy (Debian's package) in front of several gateways, for the cluster tests: round robin, health checks
 * on `/health`, the timeouts of `examples/haproxy.cfg` (long enough for SSE streams).
 *
 * @module
 */
import { freePort } from "./redis_server.ts";

/** A load balancer started by {@link startHaproxy}. */
export interface Haproxy {
  /** `http://127.0.0.1:<port>` */
  url: string;
  stop(): Promise<void>;
}

/** The configuration for `backends` (URLs like `http://127.0.0.1:9876`) behind a frontend on `port`. */
export function haproxyConfig(port: number, backends: string[]): string {
  const servers = backends.map((url, index) => {
    const { hostname, port: backendPort } = new URL(url);
    return `  server node${index + 1} ${hostname}:${backendPort} check inter 500ms fall 2 rise 1`;
  });
  return [
    "global",
    "  maxconn 1000",
    "defaults",
    "  mode http",
    "  timeout connect 5s",
    "  timeout client 1h",
    "  timeout server 1h",
    "  timeout tunnel 1h",
    "  timeout http-request 30s",
    "frontend gateways",
    `  bind 127.0.0.1:${port}`,
    "  default_backend nodes",
    "backend nodes",
    "  balance roundrobin",
    "  option httpchk GET /health",
    "  http-check expect status 200",
    ...servers,
    "",
  ].join("\n");
}

/**
 * Starts `haproxy` in the foreground in front of `backends` and waits until it accepts connections.
 * @throws {Error} when it exits or does not listen within 10 s
 */
export async function startHaproxy(backends: string[]): Promise<Haproxy> {
  const dir = await Deno.makeTempDir({ prefix: "c2a-haproxy-" });
  const port = freePort();
  const config = `${dir}/haproxy.cfg`;
  await Deno.writeTextFile(config, haproxyConfig(port, backends));
  const child = new Deno.Command("haproxy", {
    args: ["-db", "-f", config],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const stop = async () => {
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await child.stderr.cancel().catch(() => {});
    await child.status;
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      const response = await fetch(`${url}/health`);
      await response.body?.cancel();
      if (response.status === 200) break;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error("haproxy did not pass /health within 10 s");
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { url, stop };
}
