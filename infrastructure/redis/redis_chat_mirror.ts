import { Buffer } from "node:buffer";
import type { Redis } from "ioredis";
import type { ChatMirror, FeedObserver, MirroredChat } from "../../application/chat_mirror.ts";
import type { ChatDoneData } from "../../domain/chat_event.ts";
import { concatBytes } from "../../application/concat_bytes.ts";
import { entryId, keys, RELEASE_IF_MINE, SESSION_HOME_TTL_MS } from "./redis_keys.ts";

/** How long a running chat's keys live without a heartbeat renewing them (a day: the reaper ends them first). */
const RUNNING_TTL_MS = 86_400_000;

/** Options of {@link RedisChatMirror}. */
export interface RedisChatMirrorOptions {
  redis: Redis;
  nodeId: string;
  /** How long a finished chat stays (RETAIN_FINISHED_S). */
  retainFinishedMs: number;
  /** How long a session's writer lock lasts unless a heartbeat renews it. */
  lockTtlMs: number;
  /** Called when the set of chats changed, so the heartbeat lists it soon. */
  changed: () => void;
}

/**
 * {@link ChatMirror} on Redis: each chat's state in a hash, its events in a stream with one entry per batch
 * (as the log appended it: its SSE bytes, the id of its first event in `n`, its entry id the sequence of its
 * last event id, so `XREAD` after `0-{Last-Event-ID}` starts at the batch holding the next event). One pipeline per batch, written in order on one connection and not awaited: the chat never waits
 * for Redis, and while Redis is unreachable the batches are lost to other nodes (a reader there gets a gap)
 * but the chat streams on to this node's clients. The stream is trimmed to what the chat's own log retains
 * (REPLAY_BYTES), approximately (`MINID ~`).
 */
export class RedisChatMirror implements ChatMirror {
  #options: RedisChatMirrorOptions;
  #running = new Map<string, MirroredChat>();

  /** @param options the connection, the node, retention */
  constructor(options: RedisChatMirrorOptions) {
    this.#options = options;
  }

  /** The chats mirrored now (running on this node). */
  get running(): MirroredChat[] {
    return [...this.#running.values()];
  }

  open(mirrored: MirroredChat): FeedObserver {
    const { redis } = this.#options;
    const id = mirrored.chat.id;
    this.#running.set(id, mirrored);
    this.record(redis.pipeline(), mirrored).exec().catch(() => {});
    this.#options.changed();
    const events = keys.events(id);
    const log = mirrored.log;
    return {
      appended: (batch, firstId) => {
        // One entry per batch, as the log keeps it: its id is the batch's last event id, `n` its first.
        const lastId = firstId + batch.length - 1;
        const bytes = concatBytes(log.read(firstId - 1, batch.length).chunks);
        const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const fields = batch.at(-1)!.type === "done"
          ? ["n", firstId, "e", view, "end", "1"]
          : ["n", firstId, "e", view];
        redis.pipeline()
          .xadd(events, entryId(lastId), ...fields)
          .xtrim(events, "MINID", "~", entryId(log.firstId))
          .exec().catch(() => {});
      },
      ended: (done) => {
        this.#running.delete(id);
        this.#finish(mirrored, done);
        this.#options.changed();
      },
    };
  }

  /**
   * Adds to `pipeline` the commands that record `mirrored` as running here (again, after a Redis restart
   * lost it: the heartbeat calls this for every running chat).
   */
  record(pipeline: ReturnType<Redis["pipeline"]>, mirrored: MirroredChat): ReturnType<Redis["pipeline"]> {
    const { chat, watchToken } = mirrored;
    const { nodeId } = this.#options;
    pipeline
      .hset(keys.chat(chat.id), {
        node: nodeId,
        token: watchToken,
        started_at: chat.startedAt.toISOString(),
        session_id: chat.sessionId ?? "",
        status: "running",
      })
      .pexpire(keys.chat(chat.id), RUNNING_TTL_MS)
      .pexpire(keys.events(chat.id), RUNNING_TTL_MS)
      .sadd(keys.nodeChats(nodeId), chat.id);
    // The session is known once the CLI said it: from then on this node holds its writer lock.
    const sessionId = chat.sessionId;
    if (sessionId === null) return pipeline;
    return pipeline
      .set(keys.sessionWriter(sessionId), nodeId, "PX", this.#options.lockTtlMs)
      .set(keys.sessionNode(sessionId), nodeId, "PX", SESSION_HOME_TTL_MS);
  }

  #finish(mirrored: MirroredChat, done: ChatDoneData | null): void {
    const { redis, nodeId, retainFinishedMs } = this.#options;
    const id = mirrored.chat.id;
    const sessionId = mirrored.chat.sessionId;
    if (sessionId !== null) {
      redis.pipeline()
        .eval(RELEASE_IF_MINE, 1, keys.sessionWriter(sessionId), nodeId)
        .set(keys.sessionNode(sessionId), nodeId, "PX", SESSION_HOME_TTL_MS)
        .exec().catch(() => {});
    }
    redis.pipeline()
      .hset(keys.chat(id), {
        status: "finished",
        session_id: mirrored.chat.sessionId ?? "",
        done: JSON.stringify(done),
      })
      .pexpire(keys.chat(id), Math.max(1, retainFinishedMs))
      .pexpire(keys.events(id), Math.max(1, retainFinishedMs))
      .srem(keys.nodeChats(nodeId), id)
      .exec().catch(() => {});
  }
}
