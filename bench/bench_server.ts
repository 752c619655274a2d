/**
 * The gateway as the bench runs it: its own process, fed by the kit's fake CLI, with limits far above what
 * the bench asks for, so only the gateway's own costs are measured.
 *
 * @module
 */

import type { CpuMs } from "../testkit/proc_stats.ts";
import { FAKE_CLI } from "../testkit/processes.ts";
import { type ServerOptions, type ServerProcess, spawnServer } from "../testkit/server_process.ts";
import type { Settings } from "./settings.ts";

/** What every measuring phase gets. */
export interface BenchContext {
  server: ServerProcess;
  settings: Settings;
  /** Bounds the whole run (`BENCH_DEADLINE_S`). */
  signal: AbortSignal;
  cpuMs: CpuMs;
  /** Problems seen so far; phases add theirs. */
  problems: string[];
}

/**
 * Starts the gateway on loopback (`--allow-all`, as the bench always measured it), waits until `/health`
 * answers, with the soft fd limit raised to the hard one.
 * @param options extra Deno flags, e.g. `--inspect=127.0.0.1:0`, and variables over the bench's
 */
export function startBenchServer(
  options: Pick<ServerOptions, "denoFlags"> & { env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  return spawnServer({
    CLAUDE_PATH: FAKE_CLI,
    LOG_LEVEL: "WARN",
    MAX_CONCURRENT: "1000",
    QUEUE_MAX: "1000",
    QUEUE_TIMEOUT_S: "120",
    KEEPALIVE_S: "15",
    MAX_RUN_S: "600",
    IDLE_TIMEOUT_S: "120",
    AUTH_MAX_FAILURES: "1000000",
    // For the paced mode of the fake CLI.
    FAKE_CLI_DENO: Deno.execPath(),
    ...options.env,
  }, { denoFlags: options.denoFlags, permissions: ["--allow-all"], raiseFdLimit: true, waitHealthy: true });
}

/**
 * The prompt that makes the fake CLI replay `transcript` at full speed.
 * @param transcript a stream-json file
 */
export function replayPrompt(transcript: string): string {
  return `replay ${transcript}`;
}
