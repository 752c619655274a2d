import type { ChatRequest } from "../domain/chat_request.ts";
import type { Clock, Timer } from "../domain/clock.ts";
import type { CliExit, CliRun, CliRunner } from "../domain/cli_runner.ts";
import { CliUnavailableError, InvalidFieldError } from "../domain/errors.ts";
import { concatBytes } from "../application/concat_bytes.ts";
import { type CliSandbox, sandboxedCommand, sandboxLeader } from "./bwrap_command.ts";
import { buildCliArgs } from "./cli_args.ts";
import { executableProblem, statOrNull } from "./cli_path.ts";
import { systemClock } from "./system_clock.ts";

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
  /**
   * util-linux `setsid`, when present: the CLI is started through it to get its own process group, which
   * spares the server a fork of itself (Deno forks the whole server for `detached: true`; through `setsid`
   * it can use the cheaper spawn). Without it, `detached: true` does the same job.
   */
  setsidPath?: string | null;
  /** The bubblewrap sandbox each CLI runs in; null or absent: none (`SANDBOX=off`). */
  sandbox?: CliSandbox | null;
  /** The timers of the stop escalation (default: the system clock). */
  clock?: Clock;
  /**
   * Where each run gets its own temporary directory (its `TMPDIR`, removed when it exits); absent: the
   * system's temporary directory.
   */
  tempRoot?: string;
}

function signalGroup(pid: number, signal: Deno.Signal): void {
  try {
    Deno.kill(-pid, signal);
  } catch {
    // ESRCH: the group is gone, or (started through setsid) not made yet; then the process alone.
    try {
      Deno.kill(pid, signal);
    } catch {
      // gone
    }
  }
}

/** Smallest and largest stdout read. */
const STDOUT_READ_MIN = 4096;
const STDOUT_READ_MAX = 64 * 1024;

/**
 * Reads stdout into a buffer sized to what the CLI writes, reused from read to read: a fresh 64 KiB buffer
 * per read (the default) costs a lot of allocation and collection when the CLI prints one short line at a
 * time, as it does; a bulk writer fills the buffer and the size grows back.
 */
function stdoutReader(stream: ReadableStream<Uint8Array>): () => Promise<Uint8Array | null> {
  const reader = stream.getReader({ mode: "byob" });
  let size = STDOUT_READ_MIN;
  let spare: ArrayBuffer | null = null;
  return async () => {
    try {
      const target = spare?.byteLength === size ? new Uint8Array(spare) : new Uint8Array(size);
      spare = null;
      const { value, done } = await reader.read(target);
      if (done || !value) return null;
      spare = value.buffer as ArrayBuffer;
      if (value.length === size) size = Math.min(size * 2, STDOUT_READ_MAX);
      else if (value.length < size / 4) size = Math.max(size / 2, STDOUT_READ_MIN);
      return value;
    } catch {
      // A pipe error ends the output like EOF does; the exit status tells the rest.
      return null;
    }
  };
}

/** Read size for stderr: small, since stderr is only kept as a tail and a pending read holds its buffer. */
const STDERR_READ_BYTES = 4096;

async function drainTail(stream: ReadableStream<Uint8Array>, limit: number): Promise<Uint8Array> {
  let chunks: Uint8Array[] = [];
  let size = 0;
  const keep = (chunk: Uint8Array) => {
    chunks.push(chunk);
    size += chunk.length;
    if (size > 2 * limit) {
      const joined = concatBytes(chunks, size);
      chunks = [joined.slice(joined.length - limit)];
      size = limit;
    }
  };
  try {
    // One small buffer, reused, rather than a fresh 64 KiB one for every read.
    const reader = stream.getReader({ mode: "byob" });
    let buffer = new Uint8Array(STDERR_READ_BYTES);
    for (;;) {
      const { value, done } = await reader.read(buffer);
      if (done || !value) break;
      keep(value.slice());
      buffer = new Uint8Array(value.buffer);
    }
  } catch {
    // A broken pipe ends the tail where it is.
  }
  const all = concatBytes(chunks, size);
  return all.length > limit ? all.subarray(all.length - limit) : all;
}

/** Starts the CLI (in its sandbox, when there is one) in its own process group, with piped stdio. */
function spawnCli(
  options: DenoCommandCliRunnerOptions,
  request: ChatRequest,
  tempDir: string,
): Deno.ChildProcess {
  const { claudePath, setsidPath, sandbox } = options;
  const cliArgs = buildCliArgs(request);
  if (setsidPath || sandbox) {
    // setsid and bwrap would only report a missing CLI on stderr after the stream began: check first.
    const problem = executableProblem(statOrNull(claudePath));
    if (problem) throw new Error(problem);
  }
  const { program, args } = sandbox
    ? sandboxedCommand(sandbox, { claudePath, args: cliArgs }, request, tempDir)
    : { program: claudePath, args: cliArgs };
  const command: Deno.CommandOptions = {
    cwd: request.cwd,
    env: { ...options.env, TMPDIR: tempDir },
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  };
  return setsidPath
    ? new Deno.Command(setsidPath, { ...command, args: ["--", program, ...args] }).spawn()
    : new Deno.Command(program, { ...command, args, detached: true }).spawn();
}

/** The domain error for a CLI that could not be started. */
function startError(error: unknown, claudePath: string): Error {
  const reason = error instanceof Error ? error.message : String(error);
  if (/Argument list too long|os error 7\b/.test(reason)) {
    // E2BIG: the request's option values together exceed what the OS allows on one command line.
    return new InvalidFieldError(
      "(body)",
      "the request's CLI options are too large together for one command line; pass large values as file paths",
    );
  }
  return new CliUnavailableError(`cannot start the Claude Code CLI "${claudePath}": ${reason}`);
}

/** The CLI's stdin as lines written in order, then closed once; a broken pipe ends it quietly. */
function lineInput(stdin: WritableStream<Uint8Array>): Pick<CliRun, "send" | "endInput"> {
  const writer = stdin.getWriter();
  const encoder = new TextEncoder();
  let open = true;
  const fail = () => {
    // The CLI may exit before reading everything; the broken pipe is not an error of ours.
    open = false;
    writer.abort().catch(() => {});
  };
  return {
    send(line) {
      if (open) writer.write(encoder.encode(`${line}\n`)).catch(fail);
    },
    endInput() {
      if (!open) return;
      open = false;
      writer.close().catch(() => {});
    },
  };
}

/** The {@link CliRun} of a started CLI: its output, its input, its exit, and the escalating stop. */
function supervise(child: Deno.ChildProcess, options: DenoCommandCliRunnerOptions, tempDir: string): CliRun {
  const { graceMs, killAfterMs, clock = systemClock } = options;
  const pid = child.pid;
  let exited = false;
  // In a sandbox the CLI's group is that of the sandbox's first process; bwrap's own holds only bwrap,
  // and killing bwrap kills the whole sandbox (--die-with-parent and the PID namespace).
  const signalCli = (signal: Deno.Signal) => {
    if (!options.sandbox) return signalGroup(pid, signal);
    sandboxLeader(pid).then((leader) => {
      if (!exited) signalGroup(leader ?? pid, signal);
    });
  };
  const timers: Timer[] = [];
  const stderrTail = drainTail(child.stderr, STDERR_TAIL_BYTES);
  const exit: Promise<CliExit> = child.status.then(async (status) => {
    exited = true;
    timers.forEach((timer) => timer.cancel());
    // Anything the CLI left behind in its group (a tool's background job) must not outlive the chat,
    // and must not hold stdout open.
    signalGroup(pid, "SIGKILL");
    const tail = new TextDecoder().decode(await stderrTail);
    await Deno.remove(tempDir, { recursive: true }).catch(() => {});
    return { code: status.signal ? null : status.code, signal: status.signal ?? null, stderrTail: tail };
  });
  let stopping = false;
  return {
    pid,
    readStdout: stdoutReader(child.stdout),
    exit,
    ...lineInput(child.stdin),
    stop() {
      if (stopping || exited) return;
      stopping = true;
      signalCli("SIGINT");
      timers.push(clock.setTimeout(() => {
        if (exited) return;
        signalCli("SIGTERM");
        timers.push(clock.setTimeout(() => {
          if (!exited) signalGroup(pid, "SIGKILL");
        }, killAfterMs));
      }, graceMs));
    },
    kill() {
      if (!exited) signalGroup(pid, "SIGKILL");
    },
  };
}

/**
 * {@link CliRunner} with `Deno.Command`: no shell, the chat's `cwd`, its own process group (so signals reach
 * every tool the CLI started) and temporary directory, stdin open for stream-json lines, stderr drained
 * all along.
 */
export class DenoCommandCliRunner implements CliRunner {
  /** @param options the executable, environment and stop timing */
  constructor(readonly options: DenoCommandCliRunnerOptions) {}

  start(request: ChatRequest): Promise<CliRun> {
    let child: Deno.ChildProcess;
    let tempDir: string | null = null;
    try {
      tempDir = Deno.makeTempDirSync({ dir: this.options.tempRoot, prefix: "claudecode2api-chat-" });
      child = spawnCli(this.options, request, tempDir);
    } catch (error) {
      if (tempDir !== null) Deno.removeSync(tempDir, { recursive: true });
      return Promise.reject(startError(error, this.options.claudePath));
    }
    return Promise.resolve(supervise(child, this.options, tempDir));
  }
}
