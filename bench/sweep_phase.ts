/**
 * Phase "concurrency sweep": 1, 10, 100, 500 streams at once; wall time, time to first event, peak RSS and
 * CPU per event at each step.
 *
 * @module
 */

import { readChatStream, type StreamReport } from "../testkit/chat_stream.ts";
import { memoryMiB, resetPeakRss, sampleRss } from "../testkit/proc_stats.ts";
import { type BenchContext, replayPrompt } from "./bench_server.ts";
import { checkStreams, median, messagesOf, percentile } from "./stats.ts";

/** One step of the sweep. */
export interface SweepRow {
  streams: number;
  wallMs: number;
  ttfeP50Ms: number;
  ttfeP99Ms: number;
  peakRssMiB: number;
  serverCpuUsPerEvent: number;
  lost: number;
  reordered: number;
  problems: number;
}

/** `streams` chats at once, with the server's peak RSS and CPU over the batch. */
async function runBatch(context: BenchContext, transcript: string, streams: number) {
  const { server, settings, signal, cpuMs } = context;
  const pid = server.child.pid;
  await new Promise((resolve) => setTimeout(resolve, 200));
  const peakReset = resetPeakRss(pid);
  const sampler = sampleRss(pid, 10);
  const cpuBefore = cpuMs(pid);
  const startedAt = performance.now();
  const options = { expectedLines: settings.sweepLines, cwd: Deno.cwd(), signal };
  const reports = await Promise.all(
    Array.from({ length: streams }, () => readChatStream(server, replayPrompt(transcript), options)),
  );
  const wallMs = performance.now() - startedAt;
  const serverCpu = cpuMs(pid) - cpuBefore;
  const peak = Math.max(sampler.stop(), peakReset ? memoryMiB(pid).hwm : 0);
  return { reports, wallMs, serverCpu, peak };
}

/** One step: `sweepRuns` batches (five times as many for one stream). */
async function measureStep(context: BenchContext, transcript: string, streams: number): Promise<SweepRow> {
  const { settings, signal, problems } = context;
  const walls: number[] = [];
  let peak = 0;
  let serverCpu = 0;
  const reports: StreamReport[] = [];
  const runs = streams === 1 ? settings.sweepRuns * 5 : settings.sweepRuns;
  for (let run = 0; run < runs && !signal.aborted; run++) {
    const batch = await runBatch(context, transcript, streams);
    walls.push(batch.wallMs);
    serverCpu += batch.serverCpu;
    peak = Math.max(peak, batch.peak);
    reports.push(...batch.reports);
  }
  const ttfes = reports.map((report) => report.ttfeMs);
  const checked = checkStreams(reports);
  problems.push(...checked.problems.slice(0, 5));
  return {
    streams,
    wallMs: median(walls),
    ttfeP50Ms: percentile(ttfes, 50),
    ttfeP99Ms: percentile(ttfes, 99),
    peakRssMiB: peak,
    serverCpuUsPerEvent: serverCpu * 1000 / messagesOf(reports),
    lost: checked.lost + (streams * runs - reports.length) * settings.sweepLines,
    reordered: checked.reordered,
    problems: checked.problems.length,
  };
}

/**
 * Every step of `settings.sweep`, in order.
 * @param context a fresh server (so its peak RSS is what the streams cost) and the settings
 * @param transcript the sweep transcript
 */
export async function measureSweep(context: BenchContext, transcript: string): Promise<SweepRow[]> {
  const rows: SweepRow[] = [];
  for (const streams of context.settings.sweep) rows.push(await measureStep(context, transcript, streams));
  return rows;
}
