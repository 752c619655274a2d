import type { ChatEvent } from "../domain/chat_event.ts";
import type { CliRun } from "../domain/cli_runner.ts";
import type { Clock, Timer } from "../domain/clock.ts";
import { ConflictError } from "../domain/errors.ts";
import { controlRequestLine, type UserMessage, userMessageLine } from "./cli_protocol.ts";
import { ControlRequests, handleCliRequest } from "./control_requests.ts";
import type { PermissionPrompts } from "./permission_prompts.ts";
import type { RecognizedLine } from "./recognize_line.ts";

/** Options of {@link Conversation}. */
export interface ConversationOptions {
  /** Keeps the CLI's input open after the first turn, for follow-ups. */
  interactive: boolean;
  /** The permission prompts of a chat that asks its client; null: the CLI asks nobody. */
  prompts: PermissionPrompts | null;
  clock: Clock;
  /** How long a stop waits for the CLI to end its turn before the signals take over. */
  graceMs: number;
  /** How long a control request waits for the CLI's answer. */
  controlTimeoutMs: number;
  newId: () => string;
  /** Called when the chat starts or stops having a turn to wait for (an interactive chat between turns). */
  onActivityChange: () => void;
}

const TERMINAL_STATES = new Set(["completed", "cancelled", "failed"]);

/**
 * The gateway's side of the CLI's stream-json input: writes the prompt (and an interactive chat's
 * follow-ups) as user messages, talks the control protocol (interrupts, settings, permission answers), takes
 * the protocol lines out of what the client sees, and ends the chat gently: a control interrupt, then, once
 * the turn has ended, the signals (SIGINT first, which ends an idle CLI with exit 0 and its session saved).
 * Unlike a SIGINT, the control interrupt waits until the CLI is ready, so even a chat stopped in its first
 * second leaves a session that can be resumed.
 *
 * A chat that is not interactive closes the CLI's input after its first `result` line, so the CLI exits as
 * it does with the prompt on stdin.
 */
export class Conversation {
  #run: CliRun;
  #options: ConversationOptions;
  #inputOpen = true;
  #ending = false;
  #exited = false;
  #sawResult = false;
  #fallback: Timer | null = null;
  /** Follow-ups of an interactive chat the CLI has not finished: id → started. */
  #outstanding = new Map<string, boolean>();
  #controls: ControlRequests;
  #events: ChatEvent[] = [];
  #news = Promise.withResolvers<void>();

  /** @param run the started CLI; @param options the chat's mode, prompts and timing */
  constructor(run: CliRun, options: ConversationOptions) {
    this.#run = run;
    this.#options = options;
    this.#controls = new ControlRequests({
      clock: options.clock,
      timeoutMs: options.controlTimeoutMs,
      send: (line) => run.send(line),
    });
  }

  /** True when the chat takes follow-ups. */
  get interactive(): boolean {
    return this.#options.interactive;
  }

  /** True while the CLI works on the prompt or on a follow-up (queued ones included). */
  get turnRunning(): boolean {
    return !this.#sawResult || this.#outstanding.size > 0;
  }

  /** Settles when {@link takeEvents} has something. */
  get news(): Promise<void> {
    return this.#news.promise;
  }

  /** The permission prompts of a chat that asks its client (the only source of events), else null. */
  get prompts(): PermissionPrompts | null {
    return this.#options.prompts;
  }

  /**
   * Writes the first user message: the prompt and its images. It carries no id, in any chat: the CLI drops
   * a message with an id that is still queued when an interrupt with `cancel_queued` comes, and a stop in the
   * CLI's first second comes while it is (measured with 2.1.328: no turn, no session to resume); without
   * an id the turn starts and is interrupted, and the session keeps the prompt.
   */
  begin(message: Omit<UserMessage, "uuid" | "priority">): void {
    this.#run.send(userMessageLine(message));
  }

  /** Hands an event to the stream (permission requests and their ends). */
  emit(event: ChatEvent): void {
    this.#events.push(event);
    this.#news.resolve();
  }

  /** The events emitted since the last call, in order. */
  takeEvents(): ChatEvent[] {
    if (this.#events.length === 0) return [];
    const events = this.#events;
    this.#events = [];
    this.#news = Promise.withResolvers<void>();
    return events;
  }

  /**
   * Takes one recognised stdout line in.
   * @returns false for a line of the control protocol, which the client does not see
   */
  observe(recognized: RecognizedLine): boolean {
    const { kind, fields } = recognized;
    if (kind === "control") {
      this.#control(fields);
      return false;
    }
    if (kind === "result") this.#turnEnded();
    else if (kind === "lifecycle") this.#lifecycle(fields);
    return true;
  }

  /**
   * Sends a follow-up message.
   * @returns the message's id (its `command_lifecycle` lines carry it)
   * @throws {ConflictError} the chat is not interactive, or is ending
   */
  send(message: UserMessage): string {
    this.#assertOpen(true);
    const uuid = this.#options.newId();
    this.#outstanding.set(uuid, false);
    this.#run.send(userMessageLine({ ...message, uuid }));
    this.#options.onActivityChange();
    return uuid;
  }

  /**
   * Sends a control request and waits for the CLI's answer.
   * @throws {ConflictError} the chat is ending, or the CLI refused (`cli_refused`, with its message)
   * @throws {CliTimeoutError} no answer in time
   */
  control(request: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.#assertOpen(false);
    return this.#controls.send(`gw-${this.#options.newId()}`, request);
  }

  /**
   * Interrupts the running turn; an interactive chat stays open.
   * @param cancelQueued also drop the messages waiting for their turn
   */
  async interrupt(cancelQueued: boolean): Promise<{ still_queued: string[]; cancelled: string[] }> {
    const response = await this.control({
      subtype: "interrupt",
      ...(cancelQueued ? { cancel_queued: true } : {}),
    });
    const ids = (value: unknown) => Array.isArray(value) ? value.filter((id) => typeof id === "string") : [];
    const cancelled = ids(response.cancelled);
    for (const id of cancelled) this.#outstanding.delete(id);
    this.#options.onActivityChange();
    return { still_queued: ids(response.still_queued), cancelled };
  }

  /**
   * Ends the chat gently: interrupts a running turn (queued messages dropped) and signals the CLI once it
   * has ended; the signals come anyway after the grace period. Idempotent.
   */
  end(): void {
    if (this.#ending || this.#exited) return;
    this.#ending = true;
    if (!this.#inputOpen || !this.turnRunning) {
      this.#run.stop();
      return;
    }
    this.#run.send(
      controlRequestLine(`gw-end-${this.#options.newId()}`, { subtype: "interrupt", cancel_queued: true }),
    );
    this.#fallback = this.#options.clock.setTimeout(() => this.#run.stop(), this.#options.graceMs);
  }

  /** The CLI has exited: nothing waits for it any more. */
  exited(): void {
    this.#exited = true;
    this.#inputOpen = false;
    // No turn runs in a CLI that is gone.
    this.#sawResult = true;
    this.#fallback?.cancel();
    this.#options.prompts?.endAll();
    this.#controls.endAll();
    this.#outstanding.clear();
  }

  #assertOpen(forMessage: boolean): void {
    if (forMessage && !this.#options.interactive) {
      throw new ConflictError(
        "chat_not_interactive",
        'the chat was not started with "interactive": true, so it takes no further messages',
      );
    }
    if (this.#ending || this.#exited || !this.#inputOpen) {
      throw new ConflictError("chat_ended", "the chat has ended or is ending");
    }
  }

  #turnEnded(): void {
    this.#sawResult = true;
    // The messages the CLI took for this turn are done; those still queued wait for theirs.
    for (const [id, started] of this.#outstanding) if (started) this.#outstanding.delete(id);
    if (this.#ending) this.#stopNow();
    else if (!this.#options.interactive && this.#inputOpen) {
      this.#inputOpen = false;
      this.#run.endInput();
    }
    this.#options.onActivityChange();
  }

  /** The ending chat's CLI has no turn left: signal it now rather than after the grace period. */
  #stopNow(): void {
    this.#fallback?.cancel();
    this.#run.stop();
  }

  #lifecycle(fields: Record<string, unknown>): void {
    const id = fields.command_uuid;
    if (typeof id !== "string" || !this.#outstanding.has(id)) return;
    if (fields.state === "started") this.#outstanding.set(id, true);
    else if (typeof fields.state === "string" && TERMINAL_STATES.has(fields.state)) {
      this.#outstanding.delete(id);
      // An end whose interrupt dropped the last queued message between turns gets no result to wait for.
      if (this.#ending && !this.turnRunning) this.#stopNow();
      this.#options.onActivityChange();
    }
  }

  /** A control line from the CLI: an answer to us, a request of its own, or a request it withdraws. */
  #control(fields: Record<string, unknown>): void {
    if (fields.type === "control_response") this.#controls.answered(fields);
    else handleCliRequest(fields, { prompts: this.#options.prompts, send: (line) => this.#run.send(line) });
  }
}
