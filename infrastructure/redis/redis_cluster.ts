import { Redis } from "ioredis";
import type { Cluster, ClusterChat, ClusterEventSource } from "../../application/cluster.ts";
import type { EncodeEvents } from "../../application/event_encoding.ts";
import type { ProcessView } from "../../application/list_processes.ts";
import type { Logger } from "../../application/logger.ts";
import { RedisChatMirror } from "./redis_chat_mirror.ts";
import { RedisChatWatcher } from "./redis_chat_watcher.ts";
import { eventIdOf, keys, RELEASE_IF_MINE } from "./redis_keys.ts";
import { type NodeBeat, RedisNodeRegistry } from "./redis_node_registry.ts";
import { RedisRelay } from "./redis_relay.ts";

/** How long to wait for Redis at start before starting anyway (the node then recovers when it comes). */
const CONNECT_WAIT_MS = 3000;

/** Options of {@link connectRedisCluster}. */
export interface RedisClusterOptions {
  /** `redis://[user:password@]host:port[/db]` (REDIS_URL). */
  url: string;
  nodeId: string;
  /** A node whose heartbeat is older than this is lost (NODE_TTL_S). */
  ttlMs: number;
  retainFinishedMs: number;
  /** How long a relayed request may take before the asking node gives up. */
  relayTimeoutMs: number;
  encode: EncodeEvents;
  logger: Logger;
}

/** What a node still needs once its app exists: its chats for the heartbeat, and who answers relayed requests. */
export interface NodeServices {
  localProcesses: () => ProcessView[];
  answer: (message: string) => Promise<string>;
}

/**
 * {@link Cluster} on Redis (7, or Valkey), through ioredis: one connection for commands (no offline queue, so
 * a command while Redis is away fails at once instead of piling up), one for the relay's subscriptions, and
 * one per remote watcher (a blocking stream read holds it). ioredis reconnects by itself; the node is
 * reachable again as soon as it has.
 */
export class RedisCluster implements Cluster {
  readonly nodeId: string;
  readonly mirror: RedisChatMirror;
  #redis: Redis;
  #options: RedisClusterOptions;
  #registry: RedisNodeRegistry | null = null;
  #relay: RedisRelay;

  /** @param redis the command connection; @param options the node and its settings */
  constructor(redis: Redis, options: RedisClusterOptions) {
    this.#redis = redis;
    this.#options = options;
    this.nodeId = options.nodeId;
    this.mirror = new RedisChatMirror({
      redis,
      nodeId: options.nodeId,
      retainFinishedMs: options.retainFinishedMs,
      lockTtlMs: options.ttlMs * 3,
      changed: () => this.#registry?.touch(),
    });
    this.#relay = new RedisRelay({ redis, nodeId: options.nodeId, timeoutMs: options.relayTimeoutMs });
  }

  /** Joins the cluster: heartbeats (listing `localProcesses`) and answers to relayed requests. */
  async start(services: NodeServices): Promise<void> {
    const { ttlMs, retainFinishedMs, encode, logger } = this.#options;
    await this.#relay.listen(services.answer);
    this.#registry = new RedisNodeRegistry({
      redis: this.#redis,
      nodeId: this.nodeId,
      ttlMs,
      retainFinishedMs,
      mirror: this.mirror,
      localProcesses: services.localProcesses,
      encode,
      logger,
    });
    await this.#registry.start();
  }

  reachable(): boolean {
    return this.#redis.status === "ready";
  }

  async chat(processId: string): Promise<ClusterChat | null> {
    const [record, newest] = await Promise.all([
      this.#redis.hgetall(keys.chat(processId)),
      this.#redis.xrevrange(keys.events(processId), "+", "-", "COUNT", 1),
    ]);
    if (!record.node) return null;
    const nodeAlive = record.node === this.nodeId || await this.#redis.exists(keys.node(record.node)) === 1;
    return {
      processId,
      node: record.node,
      nodeAlive,
      watchToken: record.token ?? "",
      startedAt: record.started_at ?? "",
      sessionId: record.session_id || null,
      done: record.done ? JSON.parse(record.done) : null,
      lastEventId: newest.length > 0 ? eventIdOf(newest[0][0]) : 0,
    };
  }

  watch(processId: string, afterId: number): ClusterEventSource {
    const connection = this.#redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    connection.on("error", () => {});
    return new RedisChatWatcher(connection, processId, afterId);
  }

  async processes(): Promise<ProcessView[]> {
    const nodes = (await this.#redis.smembers(keys.nodes)).filter((node) => node !== this.nodeId).sort();
    if (nodes.length === 0) return [];
    const beats = await this.#redis.mget(nodes.map((node) => keys.node(node)));
    return beats.flatMap((beat) => beat === null ? [] : (JSON.parse(beat) as NodeBeat).processes);
  }

  async claimSession(sessionId: string): Promise<string> {
    const key = keys.sessionWriter(sessionId);
    const taken = await this.#redis.set(key, this.nodeId, "PX", this.#options.ttlMs * 3, "NX");
    if (taken !== null) return this.nodeId;
    // Held: by whom (or, if it expired just now, taken by nobody: try once more).
    return await this.#redis.get(key) ?? await this.claimSession(sessionId);
  }

  async releaseSession(sessionId: string): Promise<void> {
    await this.#redis.eval(RELEASE_IF_MINE, 1, keys.sessionWriter(sessionId), this.nodeId);
  }

  sessionNode(sessionId: string): Promise<string | null> {
    return this.#redis.get(keys.sessionNode(sessionId));
  }

  shareLoginFailures(onOther: (address: string) => void): (address: string) => void {
    return this.#relay.shareLoginFailures(onOther);
  }

  ask(node: string, message: string): Promise<string> {
    return this.#relay.ask(node, message);
  }

  /** Leaves the cluster and closes the connections (after this node's chats have ended). */
  async stop(): Promise<void> {
    await this.#registry?.stop();
    this.#relay.close();
    await this.#redis.quit().catch(() => this.#redis.disconnect());
  }
}

/**
 * Connects to Redis (waiting up to a few seconds, then starting anyway) and makes this gateway a node.
 * Redis going away and coming back is logged once each way.
 */
export async function connectRedisCluster(options: RedisClusterOptions): Promise<RedisCluster> {
  const { logger } = options;
  const redis = new Redis(options.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  });
  let down = false;
  redis.on("error", (error: Error) => {
    if (down) return;
    down = true;
    logger.warn("Redis unreachable", { error: error.message });
  });
  redis.on("ready", () => {
    if (down) logger.info("Redis reachable again");
    down = false;
  });
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CONNECT_WAIT_MS);
    redis.once("ready", () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return new RedisCluster(redis, options);
}
