import { z } from "zod";
import type { SessionStorage } from "../application/cluster.ts";
import { ConfigError } from "./config.ts";

/** The variables of a cluster, apart from the gateway's own (a single gateway needs none of them). */
export const ClusterConfigSchema = z.object({
  REDIS_URL: z.string().regex(/^rediss?:\/\/\S+$/, "must be a URL like redis://127.0.0.1:6379").optional(),
  NODE_ID: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, "must be up to 100 letters, digits and . _ : -")
    .optional(),
  NODE_TTL_S: z.coerce.number().min(1).max(600).default(5),
  CLUSTER_SESSIONS: z.enum(["shared", "local"]).default("shared"),
});

/** A cluster's settings: `redisUrl` null for a single gateway; `nodeId` null: derived from host and port. */
export interface ClusterConfig {
  redisUrl: string | null;
  nodeId: string | null;
  /** A node whose heartbeat is older than this is lost. */
  ttlMs: number;
  /** Whether every node sees every session's transcript (`shared`) or each only its own (`local`). */
  sessions: SessionStorage;
}

/**
 * Validates the cluster's variables (empty values count as unset).
 * @throws {ConfigError} naming the invalid variable (REDIS_URL's value is not shown: it may hold a password)
 */
export function loadClusterConfig(env: Record<string, string | undefined>): ClusterConfig {
  const input = Object.fromEntries(
    Object.keys(ClusterConfigSchema.shape).map((key) => [key, env[key]?.trim() || undefined]),
  );
  const parsed = ClusterConfigSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const key = String(issue.path[0]);
    const shown = key === "REDIS_URL" ? "(hidden)" : JSON.stringify(input[key]);
    throw new ConfigError(`invalid ${key}=${shown}: ${issue.message}`);
  }
  const { REDIS_URL, NODE_ID, NODE_TTL_S, CLUSTER_SESSIONS } = parsed.data;
  return {
    redisUrl: REDIS_URL ?? null,
    nodeId: NODE_ID ?? null,
    ttlMs: NODE_TTL_S * 1000,
    sessions: CLUSTER_SESSIONS,
  };
}
