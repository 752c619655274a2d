/**
 * Starts the gateway as its own process (`deno run main.ts`, as users start it), for the integration and
 * end-to-end tests, the bench and the load tool.
 *
 * @module
 */

const ROOT = new URL("../", import.meta.url).pathname;
const LISTENING = /claudecode2api listening on (http:\/\/\S+)/;

/** The permissions users give the server (README). */
export const SERVER_PERMISSIONS = [
  "--allow-net",
  "--allow-env",
  "--allow-read",
  "--allow-write",
  "--allow-run",
];
/** The path of `main.ts`. */
export const MAIN = `${ROOT}main.ts`;

/** Credentials of the servers the kit starts. */
export const SERVER_USER = "admin";
/** The password of {@link SERVER_USER}. */
export const SERVER_PASSWORD = "test-password";
/** The `Authorization` header of {@link SERVER_USER}. */
export const SERVER_AUTH = { Authorization: `Basic ${btoa(`${SERVER_USER}:${SERVER_PASSWORD}`)}` };

/** A gateway started by {@link spawnServer}. */
export interface ServerProcess {
  url: string;
  child: Deno.ChildProcess;
  /** Spawn → the "listening on" line, ms. */
  listeningMs: number;
  /** Spawn → the first `GET /health` answered 200, ms (NaN unless `waitHealthy` was set). */
  healthyMs: number;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** Sends a signal to the server. */
  signal(signal: Deno.Signal): void;
  /** Stops the server (SIGTERM, then SIGKILL after `graceMs`, 20 s by default) and waits for it. */
  stop(graceMs?: number): Promise<Deno.CommandStatus>;
}

/** Options of {@link spawnServer}. */
export interface ServerOptions {
  /** The server's working directory (default: the project root). */
  cwd?: string;
  /** The permission flags (default: {@link SERVER_PERMISSIONS}, as users run it). */
  permissions?: string[];
  /** Extra `deno run` flags, e.g. `--inspect=127.0.0.1:0`. */
  denoFlags?: string[];
  /** Raise the soft fd limit to the hard one first (each chat holds ~4 fds in the server). */
  raiseFdLimit?: boolean;
  /** Run with this soft fd limit instead (a flood test lowers it). */
  fdLimit?: number;
  /** Also wait until `GET /health` answers 200. */
  waitHealthy?: boolean;
  /** How long start-up may take (default 60 s). */
  timeoutMs?: number;
}

/** The Deno cache this process uses (`DENO_DIR`, else Deno's default under the real `HOME`). */
export function denoDir(): string {
  const configured = Deno.env.get("DENO_DIR");
  if (configured) return configured;
  const cache = Deno.env.get("XDG_CACHE_HOME") || `${Deno.env.get("HOME") ?? "/root"}/.cache`;
  return `${cache}/deno`;
}

/**
 * The minimal environment a server starts with: `PATH`, `HOME` and the Deno cache of this process, then `env`.
 * @param env variables added or overridden
 */
export function serverEnv(env: Record<string, string>): Record<string, string> {
  return {
    PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
    HOME: Deno.env.get("HOME") ?? "/tmp",
    // A test may give the server a temporary HOME; the npm packages stay in the real cache.
    DENO_DIR: denoDir(),
    ...env,
  };
}

function hardFdLimit(): string {
  const output = new Deno.Command("bash", { args: ["-c", "ulimit -Hn"], stdout: "piped" }).outputSync();
  return new TextDecoder().decode(output.stdout).trim() || "4096";
}

function serverCommand(env: Record<string, string>, options: ServerOptions): Deno.Command {
  const run = ["run", ...(options.permissions ?? SERVER_PERMISSIONS), ...(options.denoFlags ?? []), MAIN];
  const fdLimit = options.fdLimit !== undefined
    ? String(options.fdLimit)
    : options.raiseFdLimit
    ? hardFdLimit()
    : undefined;
  const [command, args] = fdLimit !== undefined
    ? ["bash", [
      "-c",
      'ulimit -n "$1" || exit 3; shift; exec "$0" "$@"',
      Deno.execPath(),
      fdLimit,
      ...run,
    ]]
    : [Deno.execPath(), run];
  return new Deno.Command(command, {
    args,
    cwd: options.cwd ?? ROOT,
    clearEnv: true,
    env: serverEnv({
      HOST: "127.0.0.1",
      PORT: "0",
      AUTH_USER: SERVER_USER,
      AUTH_PASSWORD: SERVER_PASSWORD,
      LOG_LEVEL: "INFO",
      ...env,
    }),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  });
}

/** Collects what the child prints and finds its "listening on" line; `status` resolves once both pipes end. */
function watchOutput(child: Deno.ChildProcess) {
  let output = "";
  const listening = Promise.withResolvers<string>();
  let watching = true;
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      output += text;
      const match = watching ? output.match(LISTENING) : null;
      if (match) {
        watching = false;
        listening.resolve(match[1]);
      }
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const status = child.status.then(async (status) => {
    await pumps;
    listening.reject(new Error(`server exited (${status.code}) before listening:\n${output}`));
    return status;
  });
  return { output: () => output, listening: listening.promise, status };
}

function kill(child: Deno.ChildProcess, signal: Deno.Signal): void {
  try {
    child.kill(signal);
  } catch {
    // already gone
  }
}

async function within<T>(promise: Promise<T>, ms: number, onTimeout: () => void): Promise<T> {
  const timer = setTimeout(onTimeout, ms);
  try {
    return await promise;
  } finally {
    clearTimeout(timer);
  }
}

async function waitHealthy(url: string, deadline: number): Promise<number> {
  while (performance.now() < deadline) {
    try {
      const response = await fetch(`${url}/health`);
      await response.body?.cancel();
      if (response.status === 200) return performance.now();
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return NaN;
}

/**
 * Starts `main.ts` on an ephemeral loopback port with `env` over a minimal environment, and waits for its
 * "listening on" line (and, with `waitHealthy`, for `/health` to answer 200).
 * @param env server variables (`CLAUDE_PATH` at least)
 * @param options working directory, Deno flags, fd limit, health wait and timeout
 * @throws {Error} when the server exits or does not start within the timeout
 */
export async function spawnServer(
  env: Record<string, string>,
  options: ServerOptions = {},
): Promise<ServerProcess> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const startedAt = performance.now();
  const child = serverCommand(env, options).spawn();
  const { output, listening, status } = watchOutput(child);
  const stop = (graceMs = 20_000) => {
    kill(child, "SIGTERM");
    return within(status, graceMs, () => kill(child, "SIGKILL"));
  };
  let url: string;
  try {
    url = await within(listening, timeoutMs, () => kill(child, "SIGKILL"));
  } catch (error) {
    await stop();
    throw error;
  }
  const listeningMs = performance.now() - startedAt;
  const healthyAt = options.waitHealthy ? await waitHealthy(url, startedAt + timeoutMs) : NaN;
  if (options.waitHealthy && Number.isNaN(healthyAt)) {
    await stop();
    throw new Error(`/health never answered 200:\n${output()}`);
  }
  return {
    url,
    child,
    listeningMs,
    healthyMs: healthyAt - startedAt,
    output,
    signal: (signal) => kill(child, signal),
    stop,
  };
}
