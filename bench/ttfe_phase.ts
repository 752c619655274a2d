/**
 * Phase "time to first event": a short chat through the gateway against the same CLI spawned directly.
 *
 * @module
 */

import { readChatStream } from "../testkit/chat_stream.ts";
import { type BenchContext, replayPrompt } from "./bench_server.ts";
import { runDirect } from "./direct_runs.ts";
import { median, percentile } from "./stats.ts";

/** Medians and 99th percentiles, through the gateway and direct. */
export interface TtfeResult {
  gatewayMs: number;
  directMs: number;
  overheadMs: number;
  gatewayP99Ms: number;
  directP99Ms: number;
}

/**
 * Alternates direct runs and chats (after five warm-up pairs), `ttfeRuns` of each.
 * @param context the server and settings
 * @param transcript the short transcript
 */
export async function measureTtfe(context: BenchContext, transcript: string): Promise<TtfeResult> {
  const { server, settings, signal, problems } = context;
  const direct: number[] = [];
  const through: number[] = [];
  const cwd = Deno.cwd();
  const prompt = replayPrompt(transcript);
  for (let run = -5; run < settings.ttfeRuns && !signal.aborted; run++) {
    // Alternate so drift (page cache, CPU frequency) hits both sides alike; the first runs are warm-up.
    const d = await runDirect(transcript);
    const g = await readChatStream(server, prompt, { expectedLines: settings.ttfeLines, cwd, signal });
    problems.push(...g.problems);
    if (run < 0) continue;
    direct.push(d.firstLineMs);
    through.push(g.ttfeMs);
  }
  const gatewayMs = median(through);
  const directMs = median(direct);
  return {
    gatewayMs,
    directMs,
    overheadMs: gatewayMs - directMs,
    gatewayP99Ms: percentile(through, 99),
    directP99Ms: percentile(direct, 99),
  };
}
