import type { ChatDoneData, ChatEvent } from "../domain/chat_event.ts";
import type { Chat } from "./chat.ts";
import type { EventLog } from "./event_log.ts";

/** What a {@link ChatMirror} is told about one chat's feed, as it happens. */
export interface FeedObserver {
  /** `events` were appended to the log, the first with id `firstId`. */
  appended(events: ChatEvent[], firstId: number): void;
  /** The log is closed: `done` is the chat's last event (null when it ended without one). */
  ended(done: ChatDoneData | null): void;
}

/** A chat made watchable on this node, as a mirror sees it. */
export interface MirroredChat {
  readonly chat: Pick<Chat, "id" | "startedAt" | "sessionId">;
  readonly watchToken: string;
  /** The chat's log: the mirror copies the encoded bytes of each event from it. */
  readonly log: EventLog;
}

/**
 * Port: where a node of a cluster copies each of its chats (its state and its numbered events), so that the
 * other nodes can list, watch and reattach to it. A single gateway has none: its chats live in its memory only.
 */
export interface ChatMirror {
  /** Starts mirroring `chat`; the observer is then told of every batch and of the end. */
  open(chat: MirroredChat): FeedObserver;
}
