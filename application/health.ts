import type { CliLocation, CliProbe } from "../domain/cli_probe.ts";
import type { SandboxMode } from "../domain/sandbox_mode.ts";
import { SPARE_RSS_ESTIMATE_BYTES, type WarmPoolStats } from "./warm_pool_stats.ts";

/** The warm pool as `GET /health` shows it (when `WARM_POOL` is on). */
export interface WarmPoolHealth {
  /** Spare CLIs started and waiting for a chat. */
  spares: number;
  /** The most spares kept (WARM_POOL_MAX). */
  max: number;
  /** Spares × the measured RSS of one idle CLI. */
  memory_estimate_bytes: number;
  /** WARM_POOL_MAX × the measured RSS of one idle CLI. */
  memory_bound_bytes: number;
}

/** The fields every report has: how the CLIs are confined, and the warm pool when there is one. */
interface HealthCommon {
  sandbox: SandboxMode;
  warm_pool?: WarmPoolHealth;
  cluster?: ClusterHealth;
}

/** What a node of a cluster adds to its health: its id, and whether it reaches Redis now. */
export interface ClusterHealth {
  node_id: string;
  redis: "ok" | "unreachable";
}

/** What `GET /health` reports; `sandbox` is how each chat's CLI is confined; `cluster` only on a node. */
export type HealthReport =
  | { status: "ok"; claude_path: string; claude_version: string } & HealthCommon
  | { status: "error"; claude_path: string | null; error: string } & HealthCommon;

/** The use case: is the CLI there and runnable, and which version is it. */
export type Health = () => Promise<HealthReport>;

/** Dependencies of {@link createHealth}. */
export interface HealthDeps {
  /** The detected CLI path, or null with the reason detection failed. */
  cli: CliLocation;
  probe: CliProbe;
  /** The sandbox the chats run in. */
  sandbox: SandboxMode;
  /** The warm pool's figures; absent when it is off. */
  warmPool?: () => WarmPoolStats;
}

/**
 * Creates the Health use case. `claude --version` runs once per distinct executable: each call only
 * checks the file (so a binary that vanished or lost its run bit shows at once) and re-runs the version
 * when the file changed.
 */
export function createHealth(deps: HealthDeps): Health {
  const { cli, probe, sandbox, warmPool } = deps;
  let cached: { fingerprint: string; version: Promise<string> } | null = null;

  return async function health() {
    return { ...await check(), sandbox, ...warmPool ? { warm_pool: warmHealth(warmPool()) } : {} };
  };

  async function check(): Promise<DistributiveOmit<HealthReport, keyof HealthCommon>> {
    if (cli.error !== undefined) return { status: "error", claude_path: cli.path, error: cli.error };
    const path = cli.path;
    const identity = await probe.identify(path);
    if ("error" in identity) return { status: "error", claude_path: path, error: identity.error };
    if (cached?.fingerprint !== identity.fingerprint) {
      cached = { fingerprint: identity.fingerprint, version: probe.version(path) };
    }
    const current = cached;
    try {
      return { status: "ok", claude_path: path, claude_version: await current.version };
    } catch (error) {
      // Forget a failure so the next call tries again.
      if (cached === current) cached = null;
      const message = error instanceof Error ? error.message : String(error);
      return { status: "error", claude_path: path, error: `"${path} --version" failed: ${message}` };
    }
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function warmHealth(stats: WarmPoolStats): WarmPoolHealth {
  return {
    spares: stats.spares,
    max: stats.max,
    memory_estimate_bytes: stats.spares * SPARE_RSS_ESTIMATE_BYTES,
    memory_bound_bytes: stats.max * SPARE_RSS_ESTIMATE_BYTES,
  };
}
