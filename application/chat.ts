import type { ChatRequest } from "../domain/chat_request.ts";
import type { CliExit, CliRun } from "../domain/cli_runner.ts";
import type { ChatEvent, ChatEventSource, LaunchFailure } from "../domain/chat_event.ts";
import type { Clock } from "../domain/clock.ts";
import type { ManagedProcess, ProcessStatus, StopReason } from "../domain/managed_process.ts";
import {
  type ChatEnding,
  chatOutcome,
  endEvents,
  type LaunchFailureReport,
  logEnding,
} from "./chat_ending.ts";
import { ChatTimers, type TimeLimits } from "./chat_timers.ts";
import type { Conversation } from "./conversation.ts";
import { LineSplitter } from "./line_splitter.ts";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";
import { type InteractionSettings, openConversation } from "./open_conversation.ts";
import { recognizeLine } from "./recognize_line.ts";
import { StreamFacts } from "./stream_facts.ts";

/** Limits one chat runs under; zero disables a time limit. */
export interface ChatLimits extends TimeLimits {
  maxLineBytes: number;
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
  clock: Clock;
  /** How the chat talks with its CLI (permission and control timeouts, the stop's grace). */
  interaction: InteractionSettings;
  newId: () => string;
  /** Called once when the chat is over and its CLI gone: frees its slot and its repository entry. */
  onFinished: (chat: Chat) => void;
}

/**
 * One chat: owns its CLI run, turns the run's stdout into a pull-driven stream of events, and cleans up
 * exactly once however it ends (CLI exit, cancel, client gone, a time limit). What it learns from the
 * stream lives in {@link StreamFacts}, its limits in {@link ChatTimers}, its last events in `endEvents`, its
 * side of the CLI's input (messages, control protocol, permission prompts) in its {@link Conversation}.
 *
 * The event stream is pulled: stdout is read only as fast as the consumer takes events, so a slow client
 * slows the CLI (through its pipe) instead of growing a buffer here.
 */
export class Chat implements ManagedProcess, ChatEventSource {
  readonly id: string;
  readonly cwd: string;
  readonly model: string | null;
  readonly startedAt: Date;
  status: ProcessStatus = "queued";
  stopReason: StopReason | null = null;
  readonly finished: Promise<void>;

  #ctx: ChatContext;
  #run: CliRun | null = null;
  #conversation: Conversation | null = null;
  #pendingRead: Promise<Uint8Array | null> | null = null;
  #launch = Promise.withResolvers<CliRun | null>();
  #launchFailure: LaunchFailureReport | null = null;
  #splitter: LineSplitter;
  #facts: StreamFacts;
  #timers: ChatTimers;
  #resolveFinished: () => void;
  #isFinished = false;
  #ended = false;
  #stream: ReadableStream<ChatEvent[]> | null = null;

  /** @param ctx the chat's id, request, limits and collaborators */
  constructor(ctx: ChatContext) {
    this.#ctx = ctx;
    this.id = ctx.id;
    this.cwd = ctx.request.cwd;
    this.model = ctx.request.model ?? null;
    this.startedAt = ctx.startedAt;
    this.#splitter = new LineSplitter(ctx.limits.maxLineBytes);
    // A fork writes a new session, known only once the CLI announces it.
    const { request } = ctx;
    const sessionId = request.fork_session ? null : request.session_id ?? request.new_session_id ?? null;
    this.#facts = new StreamFacts(sessionId, ctx.metrics);
    this.#timers = new ChatTimers({ limits: ctx.limits, clock: ctx.clock, onLimit: (why) => this.stop(why) });
    const finished = Promise.withResolvers<void>();
    this.finished = finished.promise;
    this.#resolveFinished = finished.resolve;
  }

  /** The session this chat writes: the request's, or the one the CLI's `init` line announced. */
  get sessionId(): string | null {
    return this.#facts.sessionId;
  }

  /** True when the chat was started to take follow-ups. */
  get interactive(): boolean {
    return this.#ctx.request.interactive === true;
  }

  /** True while the CLI works on a message. */
  get turnRunning(): boolean {
    return this.#conversation !== null && !this.#isFinished && this.#conversation.turnRunning;
  }

  /** Permission requests waiting for the client's answer. */
  get pendingPermissions(): number {
    return this.#conversation?.prompts?.size ?? 0;
  }

  /** The chat's side of its CLI's input once the CLI runs, else null. */
  get conversation(): Conversation | null {
    return this.#conversation;
  }

  /** Hands the chat its started CLI: it is running from now on, its prompt written. */
  attach(run: CliRun): void {
    this.#run = run;
    this.status = this.stopReason ? "stopping" : "running";
    this.#timers.runStarted();
    const { request, interaction, clock, metrics, newId } = this.#ctx;
    this.#conversation = openConversation(run, {
      request,
      settings: interaction,
      clock,
      metrics,
      newId,
      onActivityChange: () => this.#activityChanged(),
    });
    this.#activityChanged();
    this.#launch.resolve(run);
    if (this.stopReason) this.#conversation.end();
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
    this.#conversation!.end();
  }

  /** Kills the CLI and everything it started, now. */
  kill(): void {
    this.stopReason ??= "shutdown";
    if (this.#run) this.#run.kill();
    else this.#endUnlaunched();
  }

  /**
   * The next batch of events (each CLI line that is complete, or the end: maybe an error, then done), or
   * null once the stream is over. Reads stdout only when called, so it goes as fast as the consumer.
   * Call it again only after the previous call settled. A message's `line` may share the CLI run's read
   * buffer, so it is valid until the next call: the SSE body copies it into its frame at once.
   */
  async next(): Promise<ChatEvent[] | null> {
    if (this.#ended) return null;
    const run = await this.#launch.promise;
    if (run === null) {
      this.#ended = true;
      return endEvents(this.#ending(null));
    }
    const conversation = this.#conversation!;
    for (;;) {
      const emitted = conversation.takeEvents();
      if (emitted.length > 0) return emitted;
      const chunk = await this.#nextChunk(run, conversation);
      if (chunk === undefined) continue;
      if (chunk === null) return await this.#lastEvents(run);
      const events = this.#eventsOf(this.#splitter.push(chunk), conversation);
      if (events.length > 0) return events;
    }
  }

  /** The same events as {@link next}, as a stream whose lines are copies (a stream's reader may keep them). */
  get events(): ReadableStream<ChatEvent[]> {
    this.#stream ??= new ReadableStream<ChatEvent[]>({
      pull: async (controller) => {
        const batch = await this.next();
        if (batch === null) controller.close();
        else {controller.enqueue(batch.map((event) =>
            event.type === "message" ? { ...event, line: event.line.slice() } : event
          ));}
      },
    }, { highWaterMark: 0 });
    return this.#stream;
  }

  #endUnlaunched(): void {
    this.#launch.resolve(null);
    this.#finish(null);
  }

  /**
   * The next stdout chunk (null: the end), or undefined when the conversation emitted events first. The
   * race is only run when events can come from elsewhere than stdout, which keeps the common read cheap.
   */
  async #nextChunk(run: CliRun, conversation: Conversation): Promise<Uint8Array | null | undefined> {
    this.#pendingRead ??= this.#read(run);
    // Only a chat that asks its client emits events of its own (permission requests and their ends).
    if (conversation.prompts !== null) {
      const first = await Promise.race([this.#pendingRead, conversation.news.then(() => undefined)]);
      if (first === undefined) return undefined;
    }
    const chunk = await this.#pendingRead;
    this.#pendingRead = null;
    return chunk;
  }

  /** The events of complete stdout lines: protocol lines left out, emitted events in their place. */
  #eventsOf(lines: Uint8Array[], conversation: Conversation): ChatEvent[] {
    const events: ChatEvent[] = [];
    for (const line of lines) {
      const recognized = recognizeLine(line);
      if (recognized !== null && !conversation.observe(recognized)) {
        events.push(...conversation.takeEvents());
        continue;
      }
      this.#facts.observe(line, recognized);
      events.push({ type: "message", line });
    }
    return events;
  }

  /** Holds the idle limit while the CLI waits for the client; runs the inactive limit while nothing waits. */
  #activityChanged(): void {
    const conversation = this.#conversation;
    if (conversation === null || this.#isFinished) return;
    const asking = (conversation.prompts?.size ?? 0) > 0;
    const waitingForMessage = conversation.interactive && !conversation.turnRunning;
    this.#timers.setHeld(asking || waitingForMessage);
    this.#timers.setInactive(waitingForMessage && !asking);
  }

  async #read(run: CliRun): Promise<Uint8Array | null> {
    this.#timers.readStarted();
    try {
      return await run.readStdout();
    } finally {
      this.#timers.readEnded();
    }
  }

  /** stdout is over: the unterminated last line if any, then how the CLI ended. */
  async #lastEvents(run: CliRun): Promise<ChatEvent[]> {
    const conversation = this.#conversation!;
    const rest = this.#splitter.flush();
    const events = rest ? this.#eventsOf([rest], conversation) : [];
    const exit = await run.exit;
    conversation.exited();
    events.push(...conversation.takeEvents(), ...endEvents(this.#ending(exit)));
    this.#ended = true;
    this.#finish(exit);
    return events;
  }

  #ending(exit: CliExit | null): ChatEnding {
    return {
      processId: this.id,
      exit,
      stopReason: this.stopReason,
      launchFailure: this.#launchFailure,
      sessionId: this.sessionId,
      durationMs: Math.round(this.#ctx.clock.now() - this.startedAt.getTime()),
      limits: this.#ctx.limits,
    };
  }

  #finish(exit: CliExit | null): void {
    if (this.#isFinished) return;
    this.#isFinished = true;
    this.#timers.stop();
    const ending = this.#ending(exit);
    const outcome = chatOutcome(ending);
    const { metrics, logger, requestId } = this.#ctx;
    metrics.chatFinished(outcome, ending.durationMs);
    logEnding(logger, ending, { requestId, outcome, lines: this.#facts.lines, bytes: this.#facts.bytes });
    this.#ctx.onFinished(this);
    this.#resolveFinished();
  }
}
