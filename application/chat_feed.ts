import type { ChatDoneData, ChatEventSource } from "../domain/chat_event.ts";
import type { Clock, Timer } from "../domain/clock.ts";
import type { StopReason } from "../domain/managed_process.ts";
import type { FeedObserver } from "./chat_mirror.ts";
import type { EncodeEvents } from "./event_encoding.ts";
import { EventLog, type LogRead } from "./event_log.ts";

/** The chat a feed reads: its events, and how to stop it. */
export interface FeedSource extends ChatEventSource {
  stop(reason: StopReason): void;
}

/** Options of {@link ChatFeed}. */
export interface ChatFeedOptions {
  /** Bytes of events retained for watchers that come (back) later. */
  replayBytes: number;
  /** How long the chat keeps running once its last watcher left; 0 stops it at once. */
  detachGraceMs: number;
  clock: Clock;
  /** How events are encoded for the wire, once, when they come. */
  encode: EncodeEvents;
}

/**
 * Fans one chat's events out to any number of watchers, each at its own pace, and keeps them for watchers that
 * attach later (bounded by `replayBytes`).
 *
 * The chat's output is read when a watcher that has everything asks for more, or when nobody watches (a
 * detached chat keeps running): so the fastest watcher sets the pace, a single watcher slows the CLI exactly as a plain stream
 * would, and memory never exceeds `replayBytes` per chat. A watcher slower than the others by more than
 * `replayBytes` falls behind what is retained and is told so with a gap, rather than holding up the chat for
 * everyone.
 *
 * When the last watcher leaves, the chat is stopped (reason `disconnected`) after `detachGraceMs` unless
 * someone attaches in time; its output is still read to the end, so its `done` is retained.
 */
export class ChatFeed {
  readonly log: EventLog;
  #source: FeedSource;
  #options: ChatFeedOptions;
  #watchers = new Set<FeedWatcher>();
  /** The read in flight, shared by every watcher that waits for news. */
  #reading: Promise<void> | null = null;
  #graceTimer: Timer | null = null;
  #done: ChatDoneData | null = null;
  #observer: FeedObserver | null = null;
  #finished = Promise.withResolvers<void>();
  /** Settles once the chat's last event is in the log. */
  readonly finished: Promise<void> = this.#finished.promise;

  /** @param source the chat; @param options retention, detach grace and clock */
  constructor(source: FeedSource, options: ChatFeedOptions) {
    this.#source = source;
    this.#options = options;
    this.log = new EventLog(options.replayBytes, options.encode);
    // A chat nobody attaches to at once is treated as one whose last watcher left.
    queueMicrotask(() => {
      if (this.#watchers.size === 0) this.#unwatched();
    });
  }

  /** Watchers attached now. */
  get watchers(): number {
    return this.#watchers.size;
  }

  /** The `done` data once the chat has ended. */
  get done(): ChatDoneData | null {
    return this.#done;
  }

  /** Tells `observer` of every batch appended from now on, and of the end (a cluster's mirror). */
  observe(observer: FeedObserver): void {
    this.#observer = observer;
  }

  /**
   * Attaches a watcher that gets every event after `afterId` (0: from the start), then follows live.
   * @param afterId the last event id the watcher already has
   */
  watch(afterId = 0): FeedWatcher {
    this.#graceTimer?.cancel();
    this.#graceTimer = null;
    const watcher = new FeedWatcher(this, afterId);
    this.#watchers.add(watcher);
    return watcher;
  }

  /**
   * Reads the chat's next batch into the log: one read at a time, which every watcher waiting for news
   * shares. Settles at once when the chat has ended.
   */
  fill(): Promise<void> {
    if (this.log.closed) return Promise.resolve();
    this.#reading ??= this.#readOnce();
    return this.#reading;
  }

  /** @internal A watcher left. */
  left(watcher: FeedWatcher): void {
    if (this.#watchers.delete(watcher) && this.#watchers.size === 0) this.#unwatched();
  }

  async #readOnce(): Promise<void> {
    try {
      const batch = await this.#source.next();
      if (batch === null) return this.#end();
      for (const event of batch) if (event.type === "done") this.#done = event.data;
      const firstId = this.log.lastId + 1;
      this.log.append(batch);
      this.#observer?.appended(batch, firstId);
      if (this.#done) this.#end();
    } catch (error) {
      this.#end();
      throw error;
    } finally {
      this.#reading = null;
    }
  }

  /** Nobody watches: the chat is read on (so it never blocks), and stopped when the grace runs out. */
  #unwatched(): void {
    if (this.log.closed) return;
    void this.#readUnwatched();
    const { detachGraceMs, clock } = this.#options;
    if (detachGraceMs <= 0) {
      this.#source.stop("disconnected");
      return;
    }
    this.#graceTimer = clock.setTimeout(() => {
      this.#graceTimer = null;
      if (this.#watchers.size === 0) this.#source.stop("disconnected");
    }, detachGraceMs);
  }

  async #readUnwatched(): Promise<void> {
    try {
      while (this.#watchers.size === 0 && !this.log.closed) await this.fill();
    } catch {
      // The log is closed; a watcher that comes later gets what was read.
    }
  }

  #end(): void {
    this.#graceTimer?.cancel();
    this.#graceTimer = null;
    this.log.close();
    this.#observer?.ended(this.#done);
    this.#finished.resolve();
  }
}

/** One watcher of a {@link ChatFeed}: pulls retained and live events at its own pace. */
export class FeedWatcher {
  #feed: ChatFeed;
  #position: number;
  #gone = false;

  /** @param feed the feed; @param afterId the last id the watcher has */
  constructor(feed: ChatFeed, afterId: number) {
    this.#feed = feed;
    this.#position = afterId;
  }

  /** The id of the last event handed to this watcher. */
  get position(): number {
    return this.#position;
  }

  /**
   * The next events (and a gap if some were forgotten before this watcher got them), or null after the last
   * one. A watcher that has everything makes the chat be read. Call it again only after the previous call
   * settled.
   * @param maxEvents at most this many events at once
   */
  async next(maxEvents = 1024): Promise<LogRead | null> {
    const log = this.#feed.log;
    for (;;) {
      if (this.#gone) return null;
      const read = log.read(this.#position, maxEvents);
      if (read.chunks.length > 0) {
        this.#position = read.lastId;
        return read;
      }
      if (log.closed) return null;
      await this.#feed.fill();
    }
  }

  /** The watcher went away (its client disconnected, or it read to the end). Idempotent. */
  close(): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#feed.left(this);
  }
}
