import { Buffer } from "node:buffer";
import type { Redis } from "ioredis";
import type { ChatMirror, FeedObserver, MirroredChat } from "../../application/chat_mirror.ts";
import type { ChatDoneData } from "../../domain/chat_event.ts";
import { entryId, keys } from "./redis_keys.ts";

/** How long a running chat's keys live without a heartbeat renewing them (a day: the reaper ends them first). */
const RUNNING_TTL_MS = 86_400_000;

/** Options of {@link RedisChatMirror}. */
export interface RedisChatMirrorOptions {
  redis: Redis;
  nodeId: string;
  /** How long a finished chat stays (RETAIN_FINISHED_S). */
  retainFinishedMs: number;
  /** Called when the set of chats changed, so the heartbeat lists it soon. */
  changed: () => void;
}

/**
 * {@link ChatMirror} on Redis: each chat's state in a hash, its events in a stream whose entry ids are the
 * SSE ids. One pipeline per batch, written in order on one connection and not awaited: the chat never waits
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
        const pipeline = redis.pipeline();
        for (let i = 0; i < batch.length; i++) {
          const bytes = log.read(firstId + i - 1, 1).chunks[0];
          const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
          if (batch[i].type === "done") pipeline.xadd(events, entryId(firstId + i), "e", view, "end", "1");
          else pipeline.xadd(events, entryId(firstId + i), "e", view);
        }
        pipeline.xtrim(events, "MINID", "~", entryId(log.firstId));
        pipeline.exec().catch(() => {});
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
    return pipeline
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
  }

  #finish(mirrored: MirroredChat, done: ChatDoneData | null): void {
    const { redis, nodeId, retainFinishedMs } = this.#options;
    const id = mirrored.chat.id;
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
