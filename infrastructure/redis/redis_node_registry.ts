import { Buffer } from "node:buffer";
import type { Redis } from "ioredis";
import type { ProcessView } from "../../application/list_processes.ts";
import type { EncodeEvents } from "../../application/event_encoding.ts";
import type { Logger } from "../../application/logger.ts";
import { allocateEach } from "../../application/slab_allocator.ts";
import type { ChatEvent } from "../../domain/chat_event.ts";
import type { RedisChatMirror } from "./redis_chat_mirror.ts";
import { entryId, eventIdOf, keys } from "./redis_keys.ts";

/** What a node's heartbeat key holds. */
export interface NodeBeat {
  node: string;
  at: string;
  processes: ProcessView[];
}

/** Options of {@link RedisNodeRegistry}. */
export interface RedisNodeRegistryOptions {
  redis: Redis;
  nodeId: string;
  /** A node whose heartbeat is older than this is lost (NODE_TTL_S). */
  ttlMs: number;
  /** How long a lost node's ended chats stay (RETAIN_FINISHED_S). */
  retainFinishedMs: number;
  mirror: RedisChatMirror;
  /** This node's chats, as `GET /processes` shows them. */
  localProcesses: () => ProcessView[];
  encode: EncodeEvents;
  logger: Logger;
}

/**
 * The node's heartbeat (every fifth of the TTL: its key with its chats, and its chats' records again, which
 * a Redis restart may have lost) and the watch over the others: a node whose heartbeat expired is lost, and
 * one surviving node (the one that takes `c2a:reap:{node}`) ends each of its chats for their watchers with
 * `error` (reason `node_lost`) and `done`.
 */
export class RedisNodeRegistry {
  #options: RedisNodeRegistryOptions;
  #timer: ReturnType<typeof setInterval> | undefined;
  #soon: ReturnType<typeof setTimeout> | undefined;
  #ticking: Promise<void> | null = null;

  /** @param options the connection, this node, its chats and the TTL */
  constructor(options: RedisNodeRegistryOptions) {
    this.#options = options;
  }

  /**
   * Ends what an earlier run under this node id left (a node restarted within the TTL is never seen lost),
   * then beats now and every fifth of the TTL.
   */
  async start(): Promise<void> {
    await this.#endChatsOf(this.#options.nodeId, "restarted").catch(() => {});
    this.#timer = setInterval(() => this.beat(), Math.max(100, this.#options.ttlMs / 5));
    await this.beat();
  }

  /** Beats soon (the chats changed), at most once per turn of the event loop. */
  touch(): void {
    if (this.#timer === undefined) return;
    this.#soon ??= setTimeout(() => {
      this.#soon = undefined;
      this.beat();
    }, 0);
  }

  /** One heartbeat and one look at the others; never rejects, never overlaps. */
  beat(): Promise<void> {
    this.#ticking ??= this.#tick().catch(() => {}).finally(() => this.#ticking = null);
    return this.#ticking;
  }

  /** Stops beating and leaves the cluster (its chats have ended). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    clearTimeout(this.#soon);
    this.#timer = undefined;
    await this.#ticking;
    const { redis, nodeId } = this.#options;
    await redis.pipeline().del(keys.node(nodeId)).srem(keys.nodes, nodeId).exec().catch(() => {});
  }

  async #tick(): Promise<void> {
    const { redis, nodeId, ttlMs, mirror, localProcesses } = this.#options;
    const beat: NodeBeat = { node: nodeId, at: new Date().toISOString(), processes: localProcesses() };
    const pipeline = redis.pipeline()
      .set(keys.node(nodeId), JSON.stringify(beat), "PX", ttlMs)
      .sadd(keys.nodes, nodeId);
    for (const chat of mirror.running) mirror.record(pipeline, chat);
    await pipeline.exec();
    const others = (await redis.smembers(keys.nodes)).filter((node) => node !== nodeId);
    if (others.length === 0) return;
    const alive = await redis.pipeline(others.map((node) => ["exists", keys.node(node)])).exec();
    for (const [index, node] of others.entries()) {
      if (alive?.[index]?.[1] === 0) await this.#reap(node);
    }
  }

  /** Ends the chats of lost node `node`, unless another node does it. */
  async #reap(node: string): Promise<void> {
    const { redis, nodeId, ttlMs } = this.#options;
    const mine = await redis.set(keys.reap(node), nodeId, "PX", Math.max(10_000, ttlMs * 2), "NX");
    if (mine === null) return;
    await this.#endChatsOf(node, "stopped answering");
    await redis.srem(keys.nodes, node);
  }

  /** Ends every chat recorded as running on `node`, for its watchers. */
  async #endChatsOf(node: string, what: string): Promise<void> {
    const { redis, logger } = this.#options;
    const chats = await redis.smembers(keys.nodeChats(node));
    if (chats.length === 0) return;
    logger.warn("node lost: ending its chats", { node, chats: chats.length, cause: what });
    for (const processId of chats) await this.#endLostChat(processId, node, what);
    await redis.del(keys.nodeChats(node));
  }

  async #endLostChat(processId: string, node: string, what: string): Promise<void> {
    const { redis, retainFinishedMs, encode } = this.#options;
    const record = await redis.hgetall(keys.chat(processId));
    if (record.status !== "running") return;
    const newest = await redis.xrevrange(keys.events(processId), "+", "-", "COUNT", 1);
    const firstId = (newest.length > 0 ? eventIdOf(newest[0][0]) : 0) + 1;
    const startedAt = Date.parse(record.started_at ?? "");
    const done = {
      process_id: processId,
      exit_code: null,
      signal: null,
      cancelled: false,
      stop_reason: "node_lost" as const,
      session_id: record.session_id || null,
      duration_ms: Number.isNaN(startedAt) ? 0 : Math.max(0, Date.now() - startedAt),
    };
    const events: ChatEvent[] = [{
      type: "error",
      data: {
        process_id: processId,
        exit_code: null,
        signal: null,
        stderr: "",
        message: `the node "${node}" that ran this chat ${what}; the chat is lost`,
        reason: "node_lost",
      },
    }, { type: "done", data: done }];
    const { bytes } = encode(events, firstId, allocateEach);
    await redis.pipeline()
      .xadd(keys.events(processId), entryId(firstId + 1), "n", firstId, "e", Buffer.from(bytes), "end", "1")
      .hset(keys.chat(processId), { status: "finished", done: JSON.stringify(done) })
      .pexpire(keys.chat(processId), Math.max(1, retainFinishedMs))
      .pexpire(keys.events(processId), Math.max(1, retainFinishedMs))
      .exec();
  }
}
