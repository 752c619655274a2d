import { AnswerAssembler, type RunResult } from "../../application/answer_assembler.ts";
import type { DoorChat } from "../../application/start_door_chat.ts";
import type { ChatDoneData, ChatErrorData } from "../../domain/chat_event.ts";
import type { NumberedEventSource } from "../sse.ts";

/** How a door chat ended: its answer, the CLI's result, and what went wrong if anything did. */
export interface DoorRunEnd {
  /** The whole answer the client was given. */
  text: string;
  result: RunResult | null;
  /** Null when the run succeeded; else what went wrong, for the client. */
  failure: string | null;
  done: ChatDoneData | null;
}

/** What a door run yields: answer text as it comes, then its end. */
export type DoorPiece = { type: "text"; text: string } | { type: "end"; end: DoorRunEnd };

/** One SSE frame of the chat's feed: its event name and data. */
interface Frame {
  event: string;
  data: string;
}

/** Splits the feed's encoded events (whole `id:`/`event:`/`data:` frames) into names and data. */
function frames(text: string): Frame[] {
  const out: Frame[] = [];
  for (const block of text.split("\n\n")) {
    let event = "message";
    const data: string[] = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) event = line.slice(7);
      else if (line.startsWith("data: ")) data.push(line.slice(6));
    }
    if (data.length > 0) out.push({ event, data: data.join("\n") });
  }
  return out;
}

function parseObject(text: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

/**
 * Reads a door chat through its watcher (the same feed every watcher of the chat reads, so the chat is an
 * ordinary one) and turns its events into answer text with an {@link AnswerAssembler}. Pulled: the chat is read
 * only as fast as the door's client takes the answer. Closing it (the client went away) closes the watcher,
 * and the chat's feed stops the chat; either way the conversation memory is told once how it ended.
 */
export class DoorRun {
  #door: DoorChat;
  #watcher: Pick<NumberedEventSource, "next" | "close">;
  #assembler: AnswerAssembler;
  #decoder = new TextDecoder();
  #error: ChatErrorData | null = null;
  #ended = false;

  /** @param door the started door chat; @param options whether tool calls show in the answer */
  constructor(door: DoorChat, options: { toolTrace: boolean }) {
    this.#door = door;
    this.#watcher = door.started.watcher;
    this.#assembler = new AnswerAssembler({ toolTrace: options.toolTrace, cwd: door.cwd });
  }

  /** The chat's process id. */
  get processId(): string {
    return this.#door.started.chat.id;
  }

  /** The session the chat writes, once known (a resumed one at once, a new one from the CLI's first line). */
  get sessionId(): string | null {
    return this.#assembler.sessionId ?? this.#door.started.chat.sessionId;
  }

  /** The next pieces (maybe none, when a batch of lines added no text), or null after the end. */
  async next(): Promise<DoorPiece[] | null> {
    if (this.#ended) return null;
    const read = await this.#watcher.next();
    if (read === null) return [await this.#end(null)];
    const pieces: DoorPiece[] = [];
    const text = read.chunks.map((chunk) => this.#decoder.decode(chunk, { stream: true })).join("");
    for (const frame of frames(text)) {
      if (frame.event === "message") {
        const line = parseObject(frame.data);
        const added = line ? this.#assembler.push(line) : "";
        if (added) pieces.push({ type: "text", text: added });
      } else if (frame.event === "error") {
        this.#error = parseObject(frame.data) as ChatErrorData | null;
      } else if (frame.event === "done") {
        pieces.push(await this.#end(parseObject(frame.data) as ChatDoneData | null));
        break;
      }
      // Other events (a gap, a permission request of a newer gateway) say nothing about the answer.
    }
    return pieces;
  }

  /** Reads to the end: the whole answer and how the run ended. */
  async collect(): Promise<DoorRunEnd> {
    for (let pieces = await this.next(); pieces !== null; pieces = await this.next()) {
      const end = pieces.find((piece) => piece.type === "end");
      if (end) return end.end;
    }
    throw new Error("a door run ended without its end");
  }

  /** The client went away (or the door is done): lets the chat go. Idempotent. */
  close(): void {
    this.#watcher.close();
    if (!this.#ended) {
      this.#ended = true;
      void this.#door.finish(null);
    }
  }

  /** The end, once the conversation memory knows it: a client's next request may follow at once. */
  async #end(done: ChatDoneData | null): Promise<DoorPiece> {
    this.#ended = true;
    this.#watcher.close();
    const result = this.#assembler.result;
    const text = this.#assembler.text;
    const failure = result?.isError
      ? result.text ?? this.#error?.message ?? "the Claude Code CLI reported an error"
      : this.#error?.message ?? (result === null ? "the Claude Code CLI ended without a result" : null);
    await this.#door.finish(failure === null ? text : null);
    return { type: "end", end: { text, result, failure, done } };
  }
}
