import type { EncodeEvents } from "../application/event_encoding.ts";
import type { Logger } from "../application/logger.ts";
import type { ClusterConfig } from "./cluster_config.ts";
import type { RedisCluster } from "./redis/redis_cluster.ts";

/** What {@link joinCluster} needs besides the cluster's own settings. */
export interface JoinOptions {
  /** The port the gateway listens on (0: chosen by the system), for the default node id. */
  port: number;
  retainFinishedMs: number;
  relayTimeoutMs: number;
  encode: EncodeEvents;
  logger: Logger;
}

/**
 * With `REDIS_URL` set, connects to Redis and makes this gateway a node; without, null. The Redis client is
 * loaded only then, so a single gateway never loads it.
 */
export async function joinCluster(config: ClusterConfig, options: JoinOptions): Promise<RedisCluster | null> {
  if (config.redisUrl === null) return null;
  const { connectRedisCluster } = await import("./redis/redis_cluster.ts");
  const { port } = options;
  const suffix = port === 0 ? `-${crypto.randomUUID().slice(0, 8)}` : `:${port}`;
  return await connectRedisCluster({
    ...options,
    url: config.redisUrl,
    nodeId: config.nodeId ?? `${Deno.hostname()}${suffix}`,
    ttlMs: config.ttlMs,
  });
}
