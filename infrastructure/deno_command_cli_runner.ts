import type { ChatRequest } from "../domain/chat_request.ts";
import type { CliExit, CliRun, CliRunner } from "../domain/cli_runner.ts";
import { CliUnavailableError, InvalidFieldError } from "../domain/errors.ts";
import { buildCliArgs } from "./cli_args.ts";

/** The stderr tail kept per process. */
export const STDERR_TAIL_BYTES = 64 * 1024;

/** Options of {@link DenoCommandCliRunner}. */
export interface DenoCommandCliRunnerOptions {
  /** The CLI executable. */
  claudePath: string;
  /** The child's whole environment. */
  env: Record<string, string>;
  /** SIGINT → SIGTERM delay. */
  graceMs: number;
  /** SIGTERM → SIGKILL delay. */
  killAfterMs: number;
  /** Extra arguments before the chat's own (tests use this to run a script through an interpreter). */
  prefixArgs?: string[];
}

function signalGroup(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

async function drainTail(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  let chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk);
      size += chunk.length;
      if (size > 2 * limit) {
        const joined = concat(chunks, size);
        chunks = [joined.slice(joined.length - limit)];
        size = limit;
      }
    }
  } catch {
    // A broken pipe ends the tail where it is.
  }
  const all = concat(chunks, size);
  return all.length > limit ? all.subarray(all.length - limit) : all;
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/**
 * {@link CliRunner} with `Deno.Command`: no shell, the chat's `cwd`, its own process group (so signals reach
 * every tool the CLI started), the prompt written to stdin, stderr drained all along.
 */
export class DenoCommandCliRunner implements CliRunner {
  /** @param options the executable, environment and stop timing */
  constructor(readonly options: DenoCommandCliRunnerOptions) {}

  start(request: ChatRequest): Promise<CliRun> {
    const { claudePath, env, graceMs, killAfterMs, prefixArgs = [] } = this.options;
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(claudePath, {
        args: [...prefixArgs, ...buildCliArgs(request)],
        cwd: request.cwd,
        env,
        clearEnv: true,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
        detached: true,
      }).spawn();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (/Argument list too long|os error 7\b/.test(reason)) {
        // E2BIG: the request's option values together exceed what the OS allows on one command line.
        return Promise.reject(
          new InvalidFieldError(
            "(body)",
            "the request's CLI options are too large together for one command line; pass large values as file paths",
          ),
        );
      }
      return Promise.reject(
        new CliUnavailableError(`cannot start the Claude Code CLI "${claudePath}": ${reason}`),
      );
    }
    const pid = child.pid;
    const prompt = new TextEncoder().encode(request.prompt);
    const stdin = child.stdin.getWriter();
    // The CLI may exit before reading all of a large prompt; the broken pipe is not an error of ours.
    stdin.write(prompt).then(() => stdin.close()).catch(() => stdin.abort().catch(() => {}));

    let exited = false;
    const timers: ReturnType<typeof setTimeout>[] = [];
    const stderrTail = drainTail(child.stderr, STDERR_TAIL_BYTES);
    const exit: Promise<CliExit> = child.status.then(async (status) => {
      exited = true;
      timers.forEach(clearTimeout);
      // Anything the CLI left behind in its group (a tool's background job) must not outlive the chat,
      // and must not hold stdout open.
      signalGroup(pid, "SIGKILL");
      const tail = new TextDecoder().decode(await stderrTail);
      return {
        code: status.signal ? null : status.code,
        signal: status.signal ?? null,
        stderrTail: tail,
      };
    });

    let stopping = false;
    const run: CliRun = {
      pid,
      stdout: child.stdout,
      exit,
      stop() {
        if (stopping || exited) return;
        stopping = true;
        signalGroup(pid, "SIGINT");
        timers.push(setTimeout(() => {
          if (exited) return;
          signalGroup(pid, "SIGTERM");
          timers.push(setTimeout(() => {
            if (!exited) signalGroup(pid, "SIGKILL");
          }, killAfterMs));
        }, graceMs));
      },
      kill() {
        if (!exited) signalGroup(pid, "SIGKILL");
      },
    };
    return Promise.resolve(run);
  }
}
