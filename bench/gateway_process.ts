/** Starts the real gateway (`deno run --allow-all main.ts`) as its own process, wired to the fake CLI. */

/** A gateway process started by {@link startGateway}. */
export interface GatewayProcess {
  pid: number;
  url: string;
  /** `Authorization` header value for the bench's user. */
  authorization: string;
  /** Spawn → the "listening on" line, ms. */
  listeningMs: number;
  /** Spawn → first `GET /health` answered 200, ms. */
  healthyMs: number;
  /** The last few KiB the server printed (stdout and stderr), for diagnostics. */
  output(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves when it has exited. */
  stop(graceMs?: number): Promise<void>;
}

/** Options of {@link startGateway}. */
export interface GatewayOptions {
  /** The CLI the gateway runs. */
  claudePath: string;
  /** Extra `deno run` flags, e.g. `--inspect=127.0.0.1:0`. */
  denoFlags?: string[];
  /** Extra or overriding environment variables. */
  env?: Record<string, string>;
  /** How long start-up may take. */
  timeoutMs?: number;
}

const ROOT = new URL("../", import.meta.url).pathname;
const LISTENING = /claudecode2api listening on (http:\/\/\S+)/;

function hardFdLimit(): string {
  const output = new Deno.Command("bash", { args: ["-c", "ulimit -Hn"], stdout: "piped" }).outputSync();
  return new TextDecoder().decode(output.stdout).trim() || "4096";
}

/**
 * Spawns the gateway on 127.0.0.1 with an ephemeral port and waits for it to listen and answer `/health`.
 * The soft fd limit is raised to the hard one first (each chat holds ~4 fds in the server).
 * @param options the CLI path and extras
 * @throws {Error} when it does not start within the timeout
 */
export async function startGateway(options: GatewayOptions): Promise<GatewayProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const env = {
    PORT: "0",
    HOST: "127.0.0.1",
    AUTH_USER: "bench",
    AUTH_PASSWORD: "x",
    CLAUDE_PATH: options.claudePath,
    LOG_LEVEL: "WARN",
    MAX_CONCURRENT: "1000",
    QUEUE_MAX: "1000",
    QUEUE_TIMEOUT_S: "120",
    KEEPALIVE_S: "15",
    MAX_RUN_S: "600",
    IDLE_TIMEOUT_S: "120",
    AUTH_MAX_FAILURES: "1000000",
    // For the paced mode of fake_claude.sh.
    BENCH_DENO: Deno.execPath(),
    ...options.env,
  };
  const startedAt = performance.now();
  const child = new Deno.Command("bash", {
    args: [
      "-c",
      'ulimit -n "$1" || exit 3; shift; exec "$0" run --allow-all "$@" main.ts',
      Deno.execPath(),
      hardFdLimit(),
      ...(options.denoFlags ?? []),
    ],
    cwd: ROOT,
    env,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  let tail = "";
  const keep = (text: string) => {
    tail = (tail + text).slice(-8192);
  };
  const listening = Promise.withResolvers<{ url: string; at: number }>();
  const pump = async (stream: ReadableStream<Uint8Array>, watch: boolean) => {
    let pending = "";
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      keep(text);
      if (!watch) continue;
      pending += text;
      const match = pending.match(LISTENING);
      if (match) {
        listening.resolve({ url: match[1], at: performance.now() });
        watch = false;
      }
    }
  };
  const stdoutDone = pump(child.stdout, true);
  const stderrDone = pump(child.stderr, false);
  const exited = child.status.then((status) => {
    listening.reject(new Error(`the gateway exited (${status.code}) before listening:\n${tail}`));
    return status;
  });

  const timer = setTimeout(
    () => listening.reject(new Error(`the gateway did not listen within ${timeoutMs} ms`)),
    timeoutMs,
  );
  let url: string;
  let listeningAt: number;
  try {
    ({ url, at: listeningAt } = await listening.promise);
  } catch (error) {
    clearTimeout(timer);
    try {
      child.kill("SIGKILL");
    } catch {
      // already gone
    }
    await exited;
    throw error;
  }
  clearTimeout(timer);

  let healthyAt = NaN;
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      const response = await fetch(`${url}/health`);
      await response.body?.cancel();
      if (response.status === 200) {
        healthyAt = performance.now();
        break;
      }
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  if (Number.isNaN(healthyAt)) throw new Error(`/health never answered 200:\n${tail}`);

  return {
    pid: child.pid,
    url,
    authorization: `Basic ${btoa("bench:x")}`,
    listeningMs: listeningAt - startedAt,
    healthyMs: healthyAt - startedAt,
    output: () => tail,
    async stop(graceMs = 10_000) {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      const killer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // already gone
        }
      }, graceMs);
      await exited;
      clearTimeout(killer);
      await Promise.all([stdoutDone, stderrDone]);
    },
  };
}
