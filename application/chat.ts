import type { ChatRequest } from "../domain/chat_request.ts";
import type { CliExit, CliRun } from "../domain/cli_runner.ts";
import {
  type ChatDoneData,
  type ChatEvent,
  type ChatEventSource,
  type LaunchFailure,
  LIMIT_REASONS,
  type LimitReason,
} from "../domain/chat_event.ts";
import type { ManagedProcess, ProcessStatus, StopReason } from "../domain/managed_process.ts";
import { LineSplitter } from "./line_splitter.ts";
import type { Logger } from "./logger.ts";
import type { ChatOutcome, Metrics } from "./metrics.ts";

/** Limits one chat runs under; zero disables a time limit. */
export interface ChatLimits {
  maxLineBytes: number;
  maxRunMs: number;
  idleMs: number;
}

/** Everything a {@link Chat} needs from its surroundings. */
export interface ChatContext {
  id: string;
  /** The HTTP request that started the chat, for the logs. */
  requestId?: string;
  request: ChatRequest;
  startedAt: Date;
  limits: ChatLimits;
  metrics: Metrics;
  logger: Logger;
  now: () => number;
  /** Called once when the chat is over and its CLI gone: frees its slot and its repository entry. */
  onFinished: (chat: Chat) => void;
}

const encoder = new TextEncoder();
const INIT_PREFIX = encoder.encode('{"type":"system","subtype":"init"');
const RESULT_PREFIX = encoder.encode('{"type":"result"');
const MAX_PARSED_LINE_BYTES = 1 << 20;

function startsWith(line: Uint8Array, prefix: Uint8Array): boolean {
  if (line.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (line[i] !== prefix[i]) return false;
  return true;
}

function parseLine(line: Uint8Array): Record<string, unknown> | null {
  if (line.length > MAX_PARSED_LINE_BYTES) return null;
  try {
    const value = JSON.parse(new TextDecoder().decode(line));
    return typeof value === "object" && value !== null ? value : null;
  } catch {
    return null;
  }
}

const LIMIT_MESSAGES: Record<LimitReason, (ms: number) => string> = {
  max_run: (ms) => `stopped: the chat ran longer than MAX_RUN_S (${ms / 1000} s)`,
  idle: (ms) => `stopped: the CLI printed nothing for IDLE_TIMEOUT_S (${ms / 1000} s)`,
};

/**
 * One chat: owns its CLI run, turns the run's stdout into a pull-driven stream of events, enforces its
 * time limits, and cleans up exactly once however it ends (CLI exit, cancel, client gone).
 *
 * The event stream is pulled: stdout is read only as fast as the consumer takes events, so a slow client
 * slows the CLI (through its pipe) instead of growing a buffer here.
 */
export class Chat implements ManagedProcess, ChatEventSource {
  readonly id: string;
  readonly cwd: string;
  readonly model: string | null;
  readonly startedAt: Date;
  sessionId: string | null;
  status: ProcessStatus = "queued";
  stopReason: StopReason | null = null;
  readonly finished: Promise<void>;

  #ctx: ChatContext;
  #run: CliRun | null = null;
  #splitter: LineSplitter;
  #launch = Promise.withResolvers<CliRun | null>();
  #launchFailure: { reason: LaunchFailure; message: string } | null = null;
  #resolveFinished: () => void;
  #isFinished = false;
  #consumerGone = false;
  #maxRunTimer: ReturnType<typeof setTimeout> | undefined;
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  #readStartedAt = 0;
  #lines = 0;
  #bytes = 0;
  #sawInit = false;
  #ended = false;
  #stream: ReadableStream<ChatEvent[]> | null = null;

  /** @param ctx the chat's id, request, limits and collaborators */
  constructor(ctx: ChatContext) {
    this.#ctx = ctx;
    this.id = ctx.id;
    this.cwd = ctx.request.cwd;
    this.model = ctx.request.model ?? null;
    this.startedAt = ctx.startedAt;
    // A fork writes a new session, known only once the CLI announces it.
    this.sessionId = ctx.request.fork_session ? null : ctx.request.session_id ?? null;
    this.#splitter = new LineSplitter(ctx.limits.maxLineBytes);
    const finished = Promise.withResolvers<void>();
    this.finished = finished.promise;
    this.#resolveFinished = finished.resolve;
  }

  /** Hands the chat its started CLI: it is running from now on. */
  attach(run: CliRun): void {
    this.#run = run;
    this.status = this.stopReason ? "stopping" : "running";
    const { maxRunMs } = this.#ctx.limits;
    if (maxRunMs > 0) this.#maxRunTimer = setTimeout(() => this.stop("max_run"), maxRunMs);
    this.#launch.resolve(run);
    if (this.stopReason) run.stop();
  }

  /** Ends a chat that never got its CLI (queue timeout, start failure); its stream says why. */
  failLaunch(reason: LaunchFailure, message: string): void {
    this.#launchFailure = { reason, message };
    this.#endUnlaunched();
  }

  /** True once the chat is over and its CLI (if it had one) gone. */
  get isFinished(): boolean {
    return this.#isFinished;
  }

  /** Asks the chat to stop; the first reason given is the one reported. */
  stop(reason: StopReason): void {
    if (this.#isFinished) return;
    this.stopReason ??= reason;
    if (this.#run === null) {
      // Still queued: nothing to signal, the stream just ends.
      this.#endUnlaunched();
      return;
    }
    this.status = "stopping";
    this.#run.stop();
  }

  /** Kills the CLI and everything it started, now. */
  kill(): void {
    this.stopReason ??= "shutdown";
    if (this.#run) this.#run.kill();
    else this.#endUnlaunched();
  }

  #endUnlaunched(): void {
    this.#launch.resolve(null);
    this.#finish(null);
  }

  /**
   * The next batch of events (each CLI line that is complete, or the end: maybe an error, then done), or
   * null once the stream is over. Reads stdout only when called, so it goes as fast as the consumer.
   * Call it again only after the previous call settled. A message's `line` may share the CLI run's read
   * buffer, so it is valid until the next call: the SSE body copies it into its frame at once.
   */
  async next(): Promise<ChatEvent[] | null> {
    if (this.#ended || this.#consumerGone) return null;
    const run = await this.#launch.promise;
    if (run === null) {
      this.#ended = true;
      return [...this.#unlaunchedEvents()];
    }
    for (;;) {
      const chunk = await this.#read(run);
      if (this.#consumerGone) return null;
      if (chunk === null) {
        const events: ChatEvent[] = [];
        const rest = this.#splitter.flush();
        if (rest) events.push(this.#message(rest));
        const exit = await run.exit;
        events.push(...this.#endEvents(exit));
        this.#ended = true;
        this.#finish(exit);
        return events;
      }
      const lines = this.#splitter.push(chunk);
      if (lines.length > 0) return lines.map((line) => this.#message(line));
    }
  }

  /** The consumer is gone (the client disconnected): the chat stops, and its CLI's output is drained. */
  cancel(): void {
    this.#consumerCancelled();
  }

  /**
   * The same events as {@link next}, as a stream whose lines are copies (a stream's reader may keep them);
   * cancelling it is {@link cancel}.
   */
  get events(): ReadableStream<ChatEvent[]> {
    this.#stream ??= new ReadableStream<ChatEvent[]>({
      pull: async (controller) => {
        const batch = await this.next();
        if (batch === null) controller.close();
        else {controller.enqueue(batch.map((event) =>
            event.type === "message" ? { ...event, line: event.line.slice() } : event
          ));}
      },
      cancel: () => this.cancel(),
    }, { highWaterMark: 0 });
    return this.#stream;
  }

  async #read(run: CliRun): Promise<Uint8Array | null> {
    this.#readStartedAt = this.#ctx.now();
    this.#armIdleTimer();
    try {
      return await run.readStdout();
    } finally {
      this.#readStartedAt = 0;
    }
  }

  /** One timer per chat, re-armed lazily: idle means a read has been waiting, not that the client is slow. */
  #armIdleTimer(): void {
    const { idleMs } = this.#ctx.limits;
    if (idleMs <= 0 || this.#idleTimer !== undefined || this.#isFinished) return;
    const check = () => {
      this.#idleTimer = undefined;
      if (this.#isFinished || this.#readStartedAt === 0) return;
      const waited = this.#ctx.now() - this.#readStartedAt;
      if (waited >= idleMs) this.stop("idle");
      else this.#idleTimer = setTimeout(check, idleMs - waited);
    };
    this.#idleTimer = setTimeout(check, idleMs);
  }

  #message(line: Uint8Array): ChatEvent {
    this.#lines++;
    this.#bytes += line.length;
    this.#ctx.metrics.lines++;
    this.#ctx.metrics.bytes += line.length;
    if (!this.#sawInit && startsWith(line, INIT_PREFIX)) {
      this.#sawInit = true;
      const init = parseLine(line);
      if (typeof init?.session_id === "string") this.sessionId = init.session_id;
    } else if (startsWith(line, RESULT_PREFIX)) {
      const result = parseLine(line);
      if (typeof result?.total_cost_usd === "number") this.#ctx.metrics.costUsd += result.total_cost_usd;
    }
    return { type: "message", line };
  }

  *#unlaunchedEvents(): Generator<ChatEvent> {
    const failure = this.#launchFailure;
    if (failure) {
      yield {
        type: "error",
        data: {
          process_id: this.id,
          exit_code: null,
          signal: null,
          stderr: "",
          message: failure.message,
          reason: failure.reason,
        },
      };
    }
    yield { type: "done", data: this.#doneData(null, failure?.reason ?? this.stopReason) };
  }

  *#endEvents(exit: CliExit): Generator<ChatEvent> {
    const limit = isLimitReason(this.stopReason) ? this.stopReason : null;
    if (exit.code !== 0 || limit) {
      const limitMs = limit === "idle" ? this.#ctx.limits.idleMs : this.#ctx.limits.maxRunMs;
      yield {
        type: "error",
        data: {
          process_id: this.id,
          exit_code: exit.code,
          signal: exit.signal,
          stderr: exit.stderrTail,
          message: limit ? LIMIT_MESSAGES[limit](limitMs) : exitMessage(exit),
          ...(limit ? { reason: limit } : {}),
        },
      };
    }
    yield { type: "done", data: this.#doneData(exit, this.stopReason) };
  }

  #doneData(exit: CliExit | null, reason: ChatDoneData["stop_reason"]): ChatDoneData {
    return {
      process_id: this.id,
      exit_code: exit?.code ?? null,
      signal: exit?.signal ?? null,
      cancelled: this.stopReason !== null,
      stop_reason: reason,
      session_id: this.sessionId,
      duration_ms: Math.round(this.#ctx.now() - this.startedAt.getTime()),
    };
  }

  /** The client went away: stop the CLI, and keep draining its stdout so it is never blocked on a full pipe. */
  #consumerCancelled(): void {
    if (this.#consumerGone || this.#isFinished) return;
    this.#consumerGone = true;
    this.stop("disconnected");
    void this.#drain();
  }

  async #drain(): Promise<void> {
    const run = await this.#launch.promise;
    if (run === null) return;
    while ((await this.#read(run)) !== null) {
      // discard: nobody is listening any more
    }
    this.#finish(await run.exit);
  }

  #finish(exit: CliExit | null): void {
    if (this.#isFinished) return;
    this.#isFinished = true;
    clearTimeout(this.#maxRunTimer);
    clearTimeout(this.#idleTimer);
    const durationMs = Math.round(this.#ctx.now() - this.startedAt.getTime());
    const outcome = this.#outcome(exit);
    const { metrics, logger } = this.#ctx;
    metrics.recordFinished(outcome, durationMs);
    const fields = {
      process_id: this.id,
      request_id: this.#ctx.requestId,
      outcome,
      exit_code: exit?.code ?? null,
      signal: exit?.signal ?? null,
      stop_reason: this.stopReason ?? this.#launchFailure?.reason ?? null,
      lines: this.#lines,
      bytes: this.#bytes,
      duration_ms: durationMs,
    };
    if (outcome === "error") logger.warn("chat failed", { ...fields, stderr: exit?.stderrTail.slice(-500) });
    else logger.info("chat finished", fields);
    this.#ctx.onFinished(this);
    this.#resolveFinished();
  }

  #outcome(exit: CliExit | null): ChatOutcome {
    if (this.#launchFailure?.reason === "queue_timeout") return "timeout";
    if (this.#launchFailure) return "error";
    switch (this.stopReason) {
      case "max_run":
      case "idle":
        return "timeout";
      case "disconnected":
        return "disconnected";
      case "cancelled":
      case "shutdown":
        return "cancelled";
      default:
        return exit?.code === 0 ? "success" : "error";
    }
  }
}

function isLimitReason(reason: StopReason | null): reason is LimitReason {
  return (LIMIT_REASONS as readonly (StopReason | null)[]).includes(reason);
}

function exitMessage(exit: CliExit): string {
  if (exit.signal) return `the CLI was killed by ${exit.signal}`;
  return `the CLI exited with code ${exit.code}`;
}
