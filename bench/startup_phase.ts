/**
 * Phase "start-up": spawn → listening, spawn → `/health` 200, and the idle server's RSS.
 *
 * @module
 */

import { memoryMiB } from "../testkit/proc_stats.ts";
import { startBenchServer } from "./bench_server.ts";
import type { Settings } from "./settings.ts";
import { median } from "./stats.ts";

/** Medians of the start-up runs. */
export interface StartupResult {
  listeningMs: number;
  healthyMs: number;
  idleRssMiB: number;
}

/**
 * Starts and stops the server `startupRuns` times, after one uncounted start.
 * @param settings the run counts
 */
export async function measureStartup(settings: Settings): Promise<StartupResult> {
  const listening: number[] = [];
  const healthy: number[] = [];
  const idle: number[] = [];
  // The first start also warms Deno's module and code caches; it is not counted.
  for (let run = 0; run <= settings.startupRuns; run++) {
    const server = await startBenchServer();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const rss = memoryMiB(server.child.pid).rss;
    await server.stop(10_000);
    if (run === 0) continue;
    listening.push(server.listeningMs);
    healthy.push(server.healthyMs);
    idle.push(rss);
  }
  return { listeningMs: median(listening), healthyMs: median(healthy), idleRssMiB: median(idle) };
}
