/**
 * The bench's results and their Markdown tables.
 *
 * @module
 */

import type { PacedResult } from "./paced_phase.ts";
import type { PerChatResult } from "./per_chat_phase.ts";
import type { ReplayResult } from "./replay_phase.ts";
import type { Settings } from "./settings.ts";
import type { StartupResult } from "./startup_phase.ts";
import type { SweepRow } from "./sweep_phase.ts";
import type { ThroughputResult } from "./throughput_phase.ts";
import type { TtfeResult } from "./ttfe_phase.ts";
import type { WarmStartResult } from "./warm_phase.ts";

const MiB = 1024 * 1024;

/** Everything one bench run found (also written as JSON with `BENCH_JSON`). */
export interface Results {
  label: string;
  machine: Record<string, string>;
  settings: Settings;
  startup: StartupResult;
  ttfe: TtfeResult;
  throughput: ThroughputResult;
  perChat: PerChatResult;
  paced: PacedResult;
  sweep: SweepRow[];
  replay: ReplayResult;
  /** The real CLI, cold against warm start; null when it could not run. */
  warmStart: WarmStartResult | null;
  problems: string[];
}

/** The machine the bench ran on: CPUs, memory, kernel, Deno and V8, the hard fd limit. */
export function machine(): Record<string, string> {
  const sh = (command: string) =>
    new TextDecoder().decode(
      new Deno.Command("bash", { args: ["-c", command], stdout: "piped" }).outputSync().stdout,
    )
      .trim();
  return {
    nproc: sh("nproc"),
    cpu: sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'"),
    memory: sh("free -h | awk '/^Mem:/ {print $2}'"),
    kernel: sh("uname -r"),
    deno: Deno.version.deno,
    v8: Deno.version.v8,
    ulimitN: sh("ulimit -Hn"),
  };
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "n/a";
}

function verdict(ok: boolean): string {
  return ok ? "met" : "NOT met";
}

/** The rows of time to first event, throughput and CPU per event, against their targets. */
function streamRows(results: Results): string[] {
  const { ttfe, throughput: tp, paced, settings: ps } = results;
  const half = tp.rawPipe.mibPerS / 2;
  return [
    `| time to first event, median (p99) | ${fixed(ttfe.gatewayMs, 2)} ms (${
      fixed(ttfe.gatewayP99Ms, 2)
    }) | ` +
    `${fixed(ttfe.directMs, 2)} ms (${fixed(ttfe.directP99Ms, 2)}) direct spawn | overhead ≤ 5 ms: ` +
    `**${fixed(ttfe.overheadMs, 2)} ms** | ${verdict(ttfe.overheadMs <= 5)} |`,
    `| one stream, ${tp.lines} lines, ${fixed(tp.transcriptMiB, 1)} MiB | ${
      fixed(tp.gateway.mibPerS, 1)
    } MiB/s, ` +
    `${fixed(tp.gateway.linesPerS / 1000, 0)} k lines/s | raw pipe ${fixed(tp.rawPipe.mibPerS, 1)} MiB/s; ` +
    `Deno pipe read ${fixed(tp.denoPipe.mibPerS, 1)} MiB/s | ≥ ${fixed(half, 1)} MiB/s (½ raw) | ` +
    `${verdict(tp.gateway.mibPerS >= half)} |`,
    `| server CPU per forwarded event | ${fixed(tp.serverCpuUsPerEvent, 2)} µs (${
      fixed(tp.serverCpuMsPerMiB, 2)
    } ` +
    `ms/MiB) | client: ${fixed(tp.clientCpuUsPerEvent, 2)} µs/event | ≤ 20 µs | ` +
    `${verdict(tp.serverCpuUsPerEvent <= 20)} |`,
    `| server CPU per event, paced (${ps.pacedStreams} streams × ${ps.pacedLines} lines, one line per write ` +
    `every ${ps.pacedPauseMs} ms) | ${fixed(paced.serverCpuUsPerEvent, 2)} µs (${paced.lost} lost, ` +
    `${paced.reordered} reordered) | | ≤ 20 µs | ${verdict(paced.serverCpuUsPerEvent <= 20)} |`,
  ];
}

/** The rows of per-chat cost, 500 streams, start-up and idle memory. */
function serverRows(results: Results): string[] {
  const { startup, perChat } = results;
  const sweep500 = results.sweep.find((row) => row.streams === 500);
  const rows = [
    `| server cost of one short chat (2 lines) | ${fixed(perChat.serverCpuMs, 2)} ms CPU, ` +
    `${fixed(perChat.wallMs, 2)} ms wall | | | |`,
  ];
  if (sweep500) {
    const ok = sweep500.lost === 0 && sweep500.reordered === 0 && sweep500.peakRssMiB * MiB < 200e6;
    rows.push(
      `| 500 concurrent streams | ${sweep500.lost} lost, ${sweep500.reordered} reordered, peak RSS ` +
        `${fixed(sweep500.peakRssMiB, 0)} MiB | | 0 lost, < 200 MB | ${verdict(ok)} |`,
    );
  }
  rows.push(
    `| start-up: spawn → listening / → /health 200 | ${fixed(startup.listeningMs, 0)} ms / ` +
      `${fixed(startup.healthyMs, 0)} ms | | | |`,
    `| idle RSS | ${fixed(startup.idleRssMiB, 1)} MiB | | | |`,
  );
  return rows;
}

/** The concurrency sweep's table, with its heading. */
function sweepTable(results: Results): string[] {
  const s = results.settings;
  return [
    `Concurrency sweep (${s.sweepLines} lines × ${s.sweepLineBytes} B per stream; medians of ${s.sweepRuns} runs, ` +
    `×5 for 1 stream; on a fresh server):`,
    "",
    "| streams | wall | TTFE p50 | TTFE p99 | server peak RSS | server CPU/event | lost | reordered | other problems |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...results.sweep.map((row) =>
      `| ${row.streams} | ${fixed(row.wallMs, 0)} ms | ${fixed(row.ttfeP50Ms, 1)} ms | ${
        fixed(row.ttfeP99Ms, 1)
      } ms | ` +
      `${fixed(row.peakRssMiB, 0)} MiB | ${
        fixed(row.serverCpuUsPerEvent, 2)
      } µs | ${row.lost} | ${row.reordered} | ` +
      `${row.problems} |`
    ),
  ];
}

/**
 * Renders the results as Markdown tables.
 * @param results one bench run
 */
export function renderTable(results: Results): string {
  const out = [
    `### ${results.label}`,
    "",
    "| measure | gateway | baseline | target | |",
    "|---|---:|---:|---|---|",
    ...streamRows(results),
    ...serverRows(results),
    "",
    ...sweepTable(results),
  ];
  if (results.problems.length > 0) {
    out.push(
      "",
      `Problems (${results.problems.length}, first 5):`,
      ...results.problems.slice(0, 5).map((p) => `- ${p}`),
    );
  }
  return out.join("\n");
}
