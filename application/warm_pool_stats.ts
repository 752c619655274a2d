/**
 * What the warm pool (spare CLIs started ahead of the chats that take them) reports to `/health` and
 * `/metrics`. Application code only reads it; the pool itself lives in `infrastructure/`.
 *
 * @module
 */

/**
 * Resident memory of one idle spare CLI, measured with Claude Code 2.1.328 (BENCHMARKS.md, "Warm start"):
 * the server cannot read a child's RSS without every permission, so it reports this estimate instead.
 */
export const SPARE_RSS_ESTIMATE_BYTES = 150 * 1024 * 1024;

/** The warm pool's gauges and counters. */
export interface WarmPoolStats {
  /** Spares started and waiting for a chat. */
  spares: number;
  /**
   * Configurations (working directory and CLI arguments) the pool keeps: with spares waiting or starting,
   * or a chat of theirs running that will top them up.
   */
  configs: number;
  /** The most spares kept per configuration (WARM_POOL). */
  perConfig: number;
  /** The most spares kept in all (WARM_POOL_MAX). */
  max: number;
  /** Chats served by a spare. */
  hits: number;
  /** Chats that could have been served warm but started cold (no spare of their configuration waited). */
  misses: number;
  /** Spares that exited while they waited (never handed out). */
  died: number;
  /** Spares retired unused (WARM_IDLE_S, room for another configuration, a replaced directory). */
  retired: number;
}
