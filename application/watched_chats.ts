import type { ChatDoneData } from "../domain/chat_event.ts";
import type { Clock, Timer } from "../domain/clock.ts";
import type { ProcessStatus } from "../domain/managed_process.ts";
import type { Chat } from "./chat.ts";
import { ChatFeed, type FeedWatcher } from "./chat_feed.ts";
import type { ChatMirror } from "./chat_mirror.ts";
import type { EncodeEvents } from "./event_encoding.ts";

/** A chat with its feed of numbered events and the token that lets a holder watch it. */
export interface WatchedChat {
  readonly chat: Chat;
  readonly feed: ChatFeed;
  /** Lets whoever holds it watch this one chat (and nothing else) without the gateway's credentials. */
  readonly watchToken: string;
}

/** A chat just made watchable, with the watcher of the client that started it. */
export interface StartedChat extends WatchedChat {
  readonly watcher: FeedWatcher;
}

/** Where a chat is: as `GET /processes` says while it runs, `finished` once it is over. */
export type ChatStatus = ProcessStatus | "finished";

/** What `GET /chat/{process_id}` answers. */
export interface ChatStateView {
  process_id: string;
  status: ChatStatus;
  session_id: string | null;
  started_at: string;
  /** The id of the newest event so far (0 before the first). */
  last_event_id: number;
  /** Clients attached to its stream now. */
  watchers: number;
  /** The `done` event's data once the chat has ended, else null. */
  done: ChatDoneData | null;
}

/** Options of {@link WatchedChats}. */
export interface WatchedChatsOptions {
  /** Bytes of events each chat retains for watchers that come (back) later. */
  replayBytes: number;
  /** How long a finished chat stays attachable. */
  retainFinishedMs: number;
  /** How many finished chats are kept at most: beyond it the oldest is forgotten early. */
  retainFinishedMax: number;
  clock: Clock;
  /** A fresh, unguessable watch token (128 bits or more). */
  newToken: () => string;
  /** How each chat's events are encoded for the wire. */
  encode: EncodeEvents;
  /** Where a node of a cluster copies each chat; unset on a single gateway. */
  mirror?: ChatMirror;
}

/** Compares two strings in time that depends on their length only. */
function sameText(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

/** ISO 8601 in UTC to the second, as every timestamp of the API. */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/**
 * The chats that can be watched: every running one, and each finished one for `retainFinishedMs` after its
 * end (then it and its retained events are forgotten), at most `retainFinishedMax` of them (the oldest finished
 * is forgotten first), so the memory all chats retain is bounded too.
 */
export class WatchedChats {
  #chats = new Map<string, WatchedChat>();
  #expiries = new Map<string, Timer>();
  #options: WatchedChatsOptions;

  /** @param options retention, clock and token source */
  constructor(options: WatchedChatsOptions) {
    this.#options = options;
  }

  /**
   * Makes `chat` watchable: its events are numbered and retained from now on, and its first watcher (the
   * client that started it) is attached at once.
   * @param detachGraceMs how long it keeps running once its last watcher left
   */
  add(chat: Chat, detachGraceMs: number): StartedChat {
    const { replayBytes, clock, newToken, retainFinishedMs, retainFinishedMax, encode } = this.#options;
    const feed = new ChatFeed(chat, { replayBytes, detachGraceMs, clock, encode });
    const watched: WatchedChat = { chat, feed, watchToken: newToken() };
    if (this.#options.mirror) feed.observe(this.#options.mirror.open({ ...watched, log: feed.log }));
    this.#chats.set(chat.id, watched);
    feed.finished.then(() => {
      if (this.#chats.get(chat.id) !== watched) return;
      // Map order is finishing order: the first expiry is the oldest finished chat.
      this.#expiries.set(chat.id, clock.setTimeout(() => this.#forget(chat.id), retainFinishedMs));
      if (this.#expiries.size > retainFinishedMax) this.#forget(this.#expiries.keys().next().value!);
    });
    return { ...watched, watcher: feed.watch() };
  }

  /** The chat with this id, running or finished and still retained. */
  get(processId: string): WatchedChat | undefined {
    return this.#chats.get(processId);
  }

  /** True when `token` is the watch token of this chat. */
  tokenFits(processId: string, token: string): boolean {
    const watched = this.#chats.get(processId);
    return watched !== undefined && sameText(watched.watchToken, token);
  }

  /** The state of one chat, as `GET /chat/{process_id}` shows it. */
  state(watched: WatchedChat): ChatStateView {
    const { chat, feed } = watched;
    return {
      process_id: chat.id,
      status: feed.log.closed ? "finished" : chat.status,
      session_id: chat.sessionId,
      started_at: isoSeconds(chat.startedAt),
      last_event_id: feed.log.lastId,
      watchers: feed.watchers,
      done: feed.done,
    };
  }

  /** Forgets every finished chat now and stops the retention timers (on shutdown). */
  close(): void {
    for (const timer of this.#expiries.values()) timer.cancel();
    this.#expiries.clear();
    this.#chats.clear();
  }

  #forget(processId: string): void {
    this.#expiries.get(processId)?.cancel();
    this.#expiries.delete(processId);
    this.#chats.delete(processId);
  }
}
