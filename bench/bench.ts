/**
 * `deno task bench`: measures the gateway against the raw CLI pipe on loopback and prints a table.
 *
 * The gateway runs as its own process (so its CPU and RSS come from /proc and exclude this client), fed by
 * the kit's fake CLI, which replays precomputed stream-json transcripts with `cat`. Every phase is bounded in
 * count and time. Sizes and run counts can be changed through BENCH_* variables (see `readSettings`). The last
 * phase (`warm_phase.ts`) runs the real Claude Code CLI against a fake Messages API instead: cold against warm
 * start.
 *
 * @module
 */

import { cpuClock } from "../testkit/proc_stats.ts";
import { onPath } from "../testkit/run_tool.ts";
import { type BenchContext, startBenchServer } from "./bench_server.ts";
import { measureCluster, renderCluster } from "./cluster_phase.ts";
import { measurePaced } from "./paced_phase.ts";
import { measurePerChat } from "./per_chat_phase.ts";
import { measureReplay, renderReplay } from "./replay_phase.ts";
import { machine, renderTable, type Results } from "./report.ts";
import { readSettings, type Settings } from "./settings.ts";
import { measureStartup } from "./startup_phase.ts";
import { measureSweep } from "./sweep_phase.ts";
import { measureThroughput } from "./throughput_phase.ts";
import { writeTranscript } from "./transcript.ts";
import { measureTtfe } from "./ttfe_phase.ts";
import { measureWarmStart, renderWarmStart, type WarmStartResult } from "./warm_phase.ts";

/** The transcripts of every phase, written under `dir`. */
async function writeTranscripts(dir: string, settings: Settings) {
  const paths = {
    ttfe: `${dir}/ttfe.jsonl`,
    throughput: `${dir}/throughput.jsonl`,
    sweep: `${dir}/sweep.jsonl`,
    chat: `${dir}/chat.jsonl`,
    paced: `${dir}/paced.jsonl`,
    full: `${dir}/full.jsonl`,
  };
  // A little more than the default REPLAY_BYTES (16 MiB), so each chat fills its retention.
  await writeTranscript(paths.full, { lines: 36_000, lineBytes: 500 });
  await writeTranscript(paths.chat, { lines: 2, lineBytes: 400 });
  await writeTranscript(paths.paced, { lines: settings.pacedLines, lineBytes: settings.throughputLineBytes });
  await writeTranscript(paths.ttfe, { lines: settings.ttfeLines, lineBytes: settings.ttfeLineBytes });
  const throughputBytes = await writeTranscript(paths.throughput, {
    lines: settings.throughputLines,
    lineBytes: settings.throughputLineBytes,
  });
  await writeTranscript(paths.sweep, { lines: settings.sweepLines, lineBytes: settings.sweepLineBytes });
  return { paths, throughputBytes };
}

function log(message: string): void {
  console.error(`[bench] ${message}`);
}

/** Every phase but start-up, on one server, then the sweep on a fresh one. */
async function measureOnServer(
  context: BenchContext,
  transcripts: Awaited<ReturnType<typeof writeTranscripts>>,
): Promise<
  Omit<Results, "label" | "machine" | "settings" | "startup" | "replay" | "warmStart" | "problems">
> {
  const { paths, throughputBytes } = transcripts;
  log("time to first event");
  const ttfe = await measureTtfe(context, paths.ttfe);
  log("one-stream throughput");
  const throughput = await measureThroughput(context, paths.throughput, throughputBytes);
  log("per-chat cost");
  const perChat = await measurePerChat(context, paths.chat);
  log("paced streams");
  const paced = await measurePaced(context, paths.paced);
  log("concurrency sweep");
  // A fresh server, so its peak RSS is what the concurrent streams cost and not the heap that the
  // 48 MB throughput phase left grown.
  const sweepServer = await startBenchServer();
  try {
    const sweep = await measureSweep({ ...context, server: sweepServer }, paths.sweep);
    return { ttfe, throughput, perChat, paced, sweep };
  } finally {
    await sweepServer.stop(10_000);
  }
}

/** The warm start phase, or null (and a problem) when the real CLI cannot be run here. */
async function measureRealCli(
  settings: Settings,
  signal: AbortSignal,
  problems: string[],
): Promise<WarmStartResult | null> {
  try {
    return await measureWarmStart(settings, { signal, problems });
  } catch (error) {
    problems.push(`the real-CLI phase did not run: ${error instanceof Error ? error.message : error}`);
    return null;
  }
}

async function main(): Promise<void> {
  const settings = readSettings();
  const signal = AbortSignal.timeout(settings.deadlineS * 1000);
  const label = Deno.env.get("BENCH_LABEL") ?? `bench ${new Date().toISOString()}`;
  const dir = await Deno.makeTempDir({ prefix: "claudecode2api-bench-" });
  const problems: string[] = [];
  try {
    const transcripts = await writeTranscripts(dir, settings);
    log("start-up");
    const startup = await measureStartup(settings);
    const server = await startBenchServer();
    try {
      const measured = await measureOnServer(
        { server, settings, signal, cpuMs: cpuClock(), problems },
        transcripts,
      );
      if (signal.aborted) {
        problems.push(`the run hit BENCH_DEADLINE_S=${settings.deadlineS} and was cut short`);
      }
      log("replay");
      const replay = await measureReplay(
        { lines: transcripts.paths.throughput, full: transcripts.paths.full },
        { lines: settings.throughputLines, chats: settings.replayChats, runs: 3, problems },
      );
      log("real CLI: cold and warm start");
      const warmStart = await measureRealCli(settings, signal, problems);
      const results: Results = {
        label,
        machine: machine(),
        settings,
        startup,
        ...measured,
        replay,
        warmStart,
        problems,
      };
      console.log(renderTable(results));
      console.log(`\n${renderReplay(replay)}`);
      log("cluster (REDIS_URL)");
      if (onPath("redis-server")) {
        console.log(
          `\n${
            renderCluster(
              await measureCluster(dir, { events: 100_000, runs: 3, pacedEvents: 400, pauseMs: 10 }),
            )
          }`,
        );
      } else {
        console.log("\ncluster phase skipped: no redis-server (apt-get install redis-server)");
      }
      if (warmStart) console.log(`\n${renderWarmStart(warmStart)}`);
      const m = results.machine;
      console.log(
        `\nMachine: ${m.nproc} × ${m.cpu}, ${m.memory} RAM, Linux ${m.kernel}, Deno ${m.deno} (V8 ${m.v8})`,
      );
      if (settings.jsonPath) await Deno.writeTextFile(settings.jsonPath, JSON.stringify(results, null, 2));
    } finally {
      await server.stop(10_000);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
