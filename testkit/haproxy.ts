/**
 * HAProxy (Debian's package) in front of several gateways, for the cluster tests, configured as the README's
 * `examples/haproxy.cfg` says (round robin, health checks on `/health`, timeouts that keep SSE open).
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

const EXAMPLE = new URL("../examples/haproxy.cfg", import.meta.url);

/**
 * The README's example configuration (`examples/haproxy.cfg`), listening on `port` of loopback, with
 * `backends` (URLs like `http://127.0.0.1:9876`) as its servers and health checks every 500 ms.
 */
export async function haproxyConfig(port: number, backends: string[]): Promise<string> {
  const servers = backends.map((url, index) => {
    const { hostname, port: backendPort } = new URL(url);
    return `  server node${index + 1} ${hostname}:${backendPort} check inter 500ms fall 2 rise 1`;
  });
  const lines = (await Deno.readTextFile(EXAMPLE)).split("\n");
  const kept = lines.filter((line) => !/^\s*server /.test(line))
    .map((line) => line.replace(/^\s*bind \*:9876$/, `  bind 127.0.0.1:${port}`));
  if (kept.length !== lines.length - 2 || !kept.includes(`  bind 127.0.0.1:${port}`)) {
    throw new Error("examples/haproxy.cfg no longer has the bind and server lines this kit replaces");
  }
  return [...kept, ...servers, ""].join("\n");
}

/**
 * Starts `haproxy` in the foreground in front of `backends` and waits until it accepts connections.
 * @throws {Error} when it exits or does not listen within 10 s
 */
export async function startHaproxy(backends: string[]): Promise<Haproxy> {
  const dir = await Deno.makeTempDir({ prefix: "c2a-haproxy-" });
  const port = freePort();
  const config = `${dir}/haproxy.cfg`;
  await Deno.writeTextFile(config, await haproxyConfig(port, backends));
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
  let exited = false;
  child.status.then(() => exited = true);
  for (;;) {
    if (exited) {
      const said = await new Response(child.stderr).text().catch(() => "");
      await stop();
      throw new Error(`haproxy exited at start:\n${said}`);
    }
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
