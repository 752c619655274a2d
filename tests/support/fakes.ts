import type { ChatRequest } from "../../domain/chat_request.ts";
import type { CliExit, CliRun, CliRunner } from "../../domain/cli_runner.ts";
import type { Directories, ResolvedPath } from "../../domain/directories.ts";

/** A CLI run the test drives by hand: write stdout lines, then exit. */
export class FakeRun implements CliRun {
  readonly pid: number;
  readonly stdout: ReadableStream<Uint8Array>;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly exit: Promise<CliExit>;
  stops = 0;
  kills = 0;
  /** Calls of {@link readStdout} so far. */
  reads = 0;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #resolveExit!: (exit: CliExit) => void;
  #closed = false;
  /** Lines written to stdin, in order. */
  sent: string[] = [];
  /** True once stdin was closed. */
  inputEnded = false;
  /** What the run does when stopped (signalled); by default it exits 0, as the CLI does on SIGINT. */
  onStop: (run: FakeRun) => void = (run) => run.end({ code: 0 });
  /**
   * What the run does with a stdin line; by default it answers a control interrupt as the CLI does: the
   * response, then the turn's interrupted result.
   */
  onSend: (run: FakeRun, line: Record<string, unknown>) => void = (run, line) => {
    const request = line.request as Record<string, unknown> | undefined;
    if (line.type !== "control_request" || request?.subtype !== "interrupt") return;
    run.write(
      `{"type":"control_response","response":{"subtype":"success","request_id":"${line.request_id}","response":{"still_queued":[]}}}\n`,
    );
    run.write('{"type":"result","subtype":"error_during_execution"}\n');
  };

  constructor(readonly request: ChatRequest, pid: number) {
    this.pid = pid;
    this.stdout = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
    }, { highWaterMark: 0 });
    this.exit = new Promise((resolve) => this.#resolveExit = resolve);
    this.#reader = this.stdout.getReader();
  }

  async readStdout(): Promise<Uint8Array | null> {
    this.reads++;
    const { value, done } = await this.#reader.read();
    return done ? null : value;
  }

  /** Writes text (or bytes) to stdout. */
  write(data: string | Uint8Array): void {
    this.#controller.enqueue(typeof data === "string" ? new TextEncoder().encode(data) : data);
  }

  /** Closes stdout and exits. */
  end(exit: Partial<CliExit> = {}): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#controller.close();
    this.#resolveExit({
      code: exit.code ?? 0,
      signal: exit.signal ?? null,
      stderrTail: exit.stderrTail ?? "",
    });
  }

  send(line: string): void {
    if (this.inputEnded || this.#closed) return;
    this.sent.push(line);
    this.onSend(this, JSON.parse(line));
  }

  endInput(): void {
    this.inputEnded = true;
  }

  /** The stdin lines parsed, in order. */
  get sentLines(): Record<string, unknown>[] {
    return this.sent.map((line) => JSON.parse(line));
  }

  stop(): void {
    if (this.#closed) return;
    this.stops++;
    this.onStop(this);
  }

  kill(): void {
    this.kills++;
    this.end({ code: null, signal: "SIGKILL" });
  }
}

/** A {@link CliRunner} that hands out {@link FakeRun}s and remembers them. */
export class FakeCliRunner implements CliRunner {
  runs: FakeRun[] = [];
  failWith: Error | null = null;
  #waiters: ((run: FakeRun) => void)[] = [];

  start(request: ChatRequest): Promise<CliRun> {
    if (this.failWith) return Promise.reject(this.failWith);
    const run = new FakeRun(request, 1000 + this.runs.length);
    this.runs.push(run);
    this.#waiters.splice(0).forEach((resolve) => resolve(run));
    return Promise.resolve(run);
  }

  /** The next run started (or the latest, if `index` is given and exists). */
  nextRun(): Promise<FakeRun> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
}

/** {@link Directories} over a fixed table of paths; links map a path to its real path. */
export class FakeDirectories implements Directories {
  constructor(
    readonly dirs: string[] = ["/work", "/tmp"],
    readonly files: string[] = [],
    readonly links: Record<string, string> = {},
  ) {}

  resolve(path: string): Promise<ResolvedPath | null> {
    const real = this.links[path] ?? path;
    const under = (root: string) => real === root || real.startsWith(`${root}/`);
    if (this.files.includes(real)) return Promise.resolve({ path: real, isDirectory: false });
    if (this.dirs.some(under)) return Promise.resolve({ path: real, isDirectory: true });
    return Promise.resolve(null);
  }
}
