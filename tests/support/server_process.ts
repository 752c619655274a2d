const ROOT = new URL("../../", import.meta.url).pathname;

/** A gateway started as its own process by `deno run main.ts`, as users start it. */
export interface ServerProcess {
  url: string;
  child: Deno.ChildProcess;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** Sends a signal to the server. */
  signal(signal: Deno.Signal): void;
  /** Stops the server (SIGTERM, then SIGKILL after 20 s) and waits for it. */
  stop(): Promise<Deno.CommandStatus>;
}

/** The Deno cache this test process uses (`DENO_DIR`, else Deno's default under the real `HOME`). */
export function denoDir(): string {
  const configured = Deno.env.get("DENO_DIR");
  if (configured) return configured;
  const cache = Deno.env.get("XDG_CACHE_HOME") || `${Deno.env.get("HOME") ?? "/root"}/.cache`;
  return `${cache}/deno`;
}

/** Credentials of test servers. */
export const SERVER_USER = "admin";
export const SERVER_PASSWORD = "test-password";
export const SERVER_AUTH = { Authorization: `Basic ${btoa(`${SERVER_USER}:${SERVER_PASSWORD}`)}` };

/**
 * Starts `main.ts` on an ephemeral loopback port with `env` over a minimal environment, and waits for its
 * "listening on" line.
 */
export async function spawnServer(
  env: Record<string, string>,
  options: { cwd?: string } = {},
): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-env", "--allow-read", "--allow-run", `${ROOT}main.ts`],
    cwd: options.cwd ?? ROOT,
    clearEnv: true,
    env: {
      PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin",
      HOME: Deno.env.get("HOME") ?? "/tmp",
      // A test may give the server a temporary HOME; the npm packages stay in the real cache.
      DENO_DIR: denoDir(),
      HOST: "127.0.0.1",
      PORT: "0",
      AUTH_USER: SERVER_USER,
      AUTH_PASSWORD: SERVER_PASSWORD,
      LOG_LEVEL: "INFO",
      ...env,
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let output = "";
  const listening = Promise.withResolvers<string>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    for await (const text of stream.pipeThrough(new TextDecoderStream())) {
      output += text;
      const match = output.match(/claudecode2api listening on (http:\/\/\S+)/);
      if (match) listening.resolve(match[1]);
    }
  };
  const pumps = Promise.all([pump(child.stdout), pump(child.stderr)]);
  const status = child.status.then(async (status) => {
    await pumps;
    listening.reject(new Error(`server exited (${status.code}) before listening:\n${output}`));
    return status;
  });
  const url = await listening.promise;
  return {
    url,
    child,
    output: () => output,
    signal: (signal) => {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    },
    async stop() {
      try {
        child.kill("SIGTERM");
      } catch {
        // already gone
      }
      const timer = setTimeout(() => {
        try {
          child.kill("SIGKILL");
        } catch {
          // gone
        }
      }, 20_000);
      try {
        return await status;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
