import type { ChatEvent, ChatEventSource } from "../domain/chat_event.ts";
import type { CliRun } from "../domain/cli_runner.ts";
import type { ChatTimers } from "./chat_timers.ts";
import type { Conversation } from "./conversation.ts";
import { LineSplitter } from "./line_splitter.ts";
import { recognizeLine } from "./recognize_line.ts";
import type { StreamFacts } from "./stream_facts.ts";

/**
 * A running chat's output as batches of events: the CLI's complete stdout lines (the control protocol's
 * taken out by the {@link Conversation}), with the events the conversation emits (permission requests and
 * their ends) in order between them. stdout is read only when a batch is asked for, so the consumer sets
 * the pace; a read waits in the idle limit's view ({@link ChatTimers}).
 */
export class ChatOutput {
  #run: CliRun;
  #conversation: Conversation;
  #facts: StreamFacts;
  #timers: ChatTimers;
  #splitter: LineSplitter;
  #pendingRead: Promise<Uint8Array | null> | null = null;

  /**
   * @param run the started CLI; @param parts its conversation, what the chat learns from its lines, its
   * timers, and the longest line kept whole
   */
  constructor(
    run: CliRun,
    parts: { conversation: Conversation; facts: StreamFacts; timers: ChatTimers; maxLineBytes: number },
  ) {
    this.#run = run;
    this.#conversation = parts.conversation;
    this.#facts = parts.facts;
    this.#timers = parts.timers;
    this.#splitter = new LineSplitter(parts.maxLineBytes);
  }

  /**
   * The next batch, or null once stdout is over (then {@link rest} gives what is left). A message's `line`
   * may share the run's read buffer: it is valid until the next call.
   */
  async next(): Promise<ChatEvent[] | null> {
    for (;;) {
      const emitted = this.#conversation.takeEvents();
      if (emitted.length > 0) return emitted;
      const chunk = await this.#nextChunk();
      if (chunk === undefined) continue;
      if (chunk === null) return null;
      const events = this.#eventsOf(this.#splitter.push(chunk));
      if (events.length > 0) return events;
    }
  }

  /** Once stdout is over: the unterminated last line, if any, as events. */
  rest(): ChatEvent[] {
    const rest = this.#splitter.flush();
    return rest ? this.#eventsOf([rest]) : [];
  }

  /**
   * The next stdout chunk (null: the end), or undefined when the conversation emitted events first. The
   * race is only run when events can come from elsewhere than stdout (a chat whose CLI asks its client),
   * which keeps the common read cheap.
   */
  async #nextChunk(): Promise<Uint8Array | null | undefined> {
    this.#pendingRead ??= this.#read();
    if (this.#conversation.prompts !== null) {
      const first = await Promise.race([this.#pendingRead, this.#conversation.news.then(() => undefined)]);
      if (first === undefined) return undefined;
    }
    const chunk = await this.#pendingRead;
    this.#pendingRead = null;
    return chunk;
  }

  /** The events of complete stdout lines: protocol lines left out, emitted events in their place. */
  #eventsOf(lines: Uint8Array[]): ChatEvent[] {
    const events: ChatEvent[] = [];
    for (const line of lines) {
      const recognized = recognizeLine(line);
      if (recognized !== null && !this.#conversation.observe(recognized)) {
        events.push(...this.#conversation.takeEvents());
        continue;
      }
      this.#facts.observe(line, recognized);
      events.push({ type: "message", line });
    }
    return events;
  }

  async #read(): Promise<Uint8Array | null> {
    this.#timers.readStarted();
    try {
      return await this.#run.readStdout();
    } finally {
      this.#timers.readEnded();
    }
  }
}

/**
 * A source's batches as a stream, each message's line copied (a stream's reader may keep a batch, while the
 * source may reuse a line's memory on its next call).
 * @param source where the batches come from
 */
export function copiedEventStream(source: ChatEventSource): ReadableStream<ChatEvent[]> {
  return new ReadableStream<ChatEvent[]>({
    pull: async (controller) => {
      const batch = await source.next();
      if (batch === null) controller.close();
      else {controller.enqueue(batch.map((event) =>
          event.type === "message" ? { ...event, line: event.line.slice() } : event
        ));}
    },
  }, { highWaterMark: 0 });
}
