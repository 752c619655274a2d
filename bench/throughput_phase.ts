/**
 * Phase "one-stream throughput": one big transcript through the gateway, against a raw shell pipe and a
 * Deno pipe read of the same CLI; server and client CPU per event.
 *
 * @module
 */

import { readChatStream, type StreamReport } from "../testkit/chat_stream.ts";
import { type BenchContext, replayPrompt } from "./bench_server.ts";
import { runDirect, runRawPipe } from "./direct_runs.ts";
import { checkStreams, median } from "./stats.ts";

const MiB = 1024 * 1024;

/** A rate: the median time and what it makes per second. */
export interface Rate {
  linesPerS: number;
  mibPerS: number;
  ms: number;
}

/** Figures of the throughput phase. */
export interface ThroughputResult {
  transcriptMiB: number;
  lines: number;
  gateway: Rate;
  denoPipe: Rate;
  rawPipe: Rate;
  serverCpuUsPerEvent: number;
  serverCpuMsPerMiB: number;
  clientCpuUsPerEvent: number;
  lost: number;
  reordered: number;
}

/** One round: the raw pipe, the Deno pipe, then the gateway with the CPU both sides spent. */
async function runRound(context: BenchContext, transcript: string) {
  const { server, settings, signal, cpuMs } = context;
  const rawMs = await runRawPipe(transcript);
  const denoMs = (await runDirect(transcript)).totalMs;
  const serverBefore = cpuMs(server.child.pid);
  const clientBefore = cpuMs("self");
  const report = await readChatStream(server, replayPrompt(transcript), {
    expectedLines: settings.throughputLines,
    cwd: Deno.cwd(),
    signal,
  });
  const serverCpu = cpuMs(server.child.pid) - serverBefore;
  const clientCpu = cpuMs("self") - clientBefore;
  return { rawMs, denoMs, report, serverCpu, clientCpu };
}

/**
 * One warm-up round, then `throughputRuns` rounds.
 * @param context the server and settings
 * @param transcript the big transcript
 * @param bytes its size
 */
export async function measureThroughput(
  context: BenchContext,
  transcript: string,
  bytes: number,
): Promise<ThroughputResult> {
  const lines = context.settings.throughputLines;
  const rate = (ms: number) => ({ ms, linesPerS: lines / (ms / 1000), mibPerS: bytes / MiB / (ms / 1000) });
  const gatewayMs: number[] = [];
  const denoMs: number[] = [];
  const rawMs: number[] = [];
  let serverCpu = 0;
  let clientCpu = 0;
  let events = 0;
  const reports: StreamReport[] = [];
  for (let run = -1; run < context.settings.throughputRuns && !context.signal.aborted; run++) {
    const round = await runRound(context, transcript);
    if (run < 0) continue;
    rawMs.push(round.rawMs);
    denoMs.push(round.denoMs);
    reports.push(round.report);
    gatewayMs.push(round.report.totalMs);
    serverCpu += round.serverCpu;
    clientCpu += round.clientCpu;
    events += round.report.messages;
  }
  const checked = checkStreams(reports);
  return {
    transcriptMiB: bytes / MiB,
    lines,
    gateway: rate(median(gatewayMs)),
    denoPipe: rate(median(denoMs)),
    rawPipe: rate(median(rawMs)),
    serverCpuUsPerEvent: serverCpu * 1000 / events,
    serverCpuMsPerMiB: serverCpu / (bytes * reports.length / MiB),
    clientCpuUsPerEvent: clientCpu * 1000 / events,
    lost: checked.lost,
    reordered: checked.reordered,
  };
}
