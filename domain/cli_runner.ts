import type { ChatRequest } from "./chat_request.ts";

/** How a CLI process ended. `code` is null when a signal ended it. */
export interface CliExit {
  code: number | null;
  signal: string | null;
  /** The last bytes (at most 64 KiB) the process wrote to stderr, decoded as UTF-8. */
  stderrTail: string;
}

/** A started CLI process. */
export interface CliRun {
  readonly pid: number;
  /**
   * The next chunk of the process's stdout, exactly as written, or null once every writer of the pipe is
   * gone (or the pipe failed). Call it again only after the previous call settled. The chunk is valid
   * until the next call, which may take its memory back (the old chunk then reads as empty): copy what
   * must outlive it.
   */
  readStdout(): Promise<Uint8Array | null>;
  /** Settles once the process has exited and its stderr is drained. */
  readonly exit: Promise<CliExit>;
  /**
   * Writes one line (without its newline) to the process's stdin, after the lines written before it. A line
   * written once the input is closed, or that the process no longer reads, is dropped.
   */
  send(line: string): void;
  /** Closes stdin once the lines written so far are out: the CLI finishes its turn and exits. Idempotent. */
  endInput(): void;
  /** Asks the process to stop: SIGINT, then SIGTERM after the grace period, then SIGKILL. Idempotent. */
  stop(): void;
  /** Kills the process and everything it started at once (SIGKILL to its process group). */
  kill(): void;
}

/** Port: starts the Claude Code CLI for a chat. */
export interface CliRunner {
  /**
   * Starts the CLI for `request` in stream-json input mode, its stdin open: the caller writes the messages
   * (the prompt is not written by the runner). The run has its own temporary directory (the CLI's `TMPDIR`,
   * where it saves the images it is sent), removed once the process has exited.
   * @throws {CliUnavailableError} when the executable cannot be started
   */
  start(request: ChatRequest): Promise<CliRun>;
}
