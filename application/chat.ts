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
import { ChatOutput, copiedEventStream } from "./chat_output.ts";
import { ChatTimers, type TimeLimits } from "./chat_timers.ts";
import type { Conversation } from "./conversation.ts";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";
import { type InteractionSettings, openConversation } from "./open_conversation.ts";
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
  #output: ChatOutput | null = null;
  #launch = Promise.withResolvers<CliRun | null>();
  #launchFailure: LaunchFailureReport | null = null;
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
    this.#output = new ChatOutput(run, {
      conversation: this.#conversation,
      facts: this.#facts,
      timers: this.#timers,
      maxLineBytes: this.#ctx.limits.maxLineBytes,
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
    return await this.#output!.next() ?? await this.#lastEvents(run);
  }

  /** The same events as {@link next}, as a stream whose lines are copies (a stream's reader may keep them). */
  get events(): ReadableStream<ChatEvent[]> {
    this.#stream ??= copiedEventStream(this);
    return this.#stream;
  }

  #endUnlaunched(): void {
    this.#launch.resolve(null);
    this.#finish(null);
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

  /** stdout is over: the unterminated last line if any, then how the CLI ended. */
  async #lastEvents(run: CliRun): Promise<ChatEvent[]> {
    const conversation = this.#conversation!;
    const events = this.#output!.rest();
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
