/**
 * `deno task bench`: measures the gateway against the raw CLI pipe on loopback and prints a table.
 *
 * The gateway runs as its own process (so its CPU and RSS come from /proc and exclude this client), fed by
 * `fake_claude.sh`, which replays precomputed stream-json transcripts with `cat`. Every phase is bounded in
 * count and time. Sizes and run counts can be changed through BENCH_* variables (see `readSettings`).
 */

import { type GatewayProcess, startGateway } from "./gateway_process.ts";
import { cpuMs, memoryMiB, resetPeakRss, sampleRss } from "./proc_stats.ts";
import { readChatStream, type StreamReport } from "./sse_client.ts";
import { writeTranscript } from "./transcript.ts";

const FAKE_CLI = new URL("./fake_claude.sh", import.meta.url).pathname;
/** What the gateway's runner passes, so the direct runs start the fake the same way. */
const CLI_ARGS = ["-p", "--output-format=stream-json", "--verbose", "--permission-mode=acceptEdits"];
const MiB = 1024 * 1024;

interface Settings {
  ttfeRuns: number;
  ttfeLines: number;
  ttfeLineBytes: number;
  throughputRuns: number;
  throughputLines: number;
  throughputLineBytes: number;
  sweep: number[];
  sweepRuns: number;
  sweepLines: number;
  sweepLineBytes: number;
  startupRuns: number;
  chatRuns: number;
  pacedStreams: number;
  pacedLines: number;
  pacedPauseMs: number;
  deadlineS: number;
  jsonPath: string | undefined;
}

function readSettings(): Settings {
  const int = (name: string, fallback: number) => {
    const value = Deno.env.get(name);
    return value ? Number.parseInt(value, 10) : fallback;
  };
  return {
    ttfeRuns: int("BENCH_TTFE_RUNS", 40),
    ttfeLines: int("BENCH_TTFE_LINES", 40),
    ttfeLineBytes: int("BENCH_TTFE_LINE_BYTES", 800),
    throughputRuns: int("BENCH_THROUGHPUT_RUNS", 7),
    throughputLines: int("BENCH_THROUGHPUT_LINES", 100_000),
    throughputLineBytes: int("BENCH_THROUGHPUT_LINE_BYTES", 500),
    sweep: (Deno.env.get("BENCH_SWEEP") ?? "1,10,100,500").split(",").map(Number),
    sweepRuns: int("BENCH_SWEEP_RUNS", 3),
    sweepLines: int("BENCH_SWEEP_LINES", 200),
    sweepLineBytes: int("BENCH_SWEEP_LINE_BYTES", 500),
    startupRuns: int("BENCH_STARTUP_RUNS", 5),
    chatRuns: int("BENCH_CHAT_RUNS", 60),
    pacedStreams: int("BENCH_PACED_STREAMS", 20),
    pacedLines: int("BENCH_PACED_LINES", 1000),
    pacedPauseMs: int("BENCH_PACED_PAUSE_MS", 1),
    deadlineS: int("BENCH_DEADLINE_S", 600),
    jsonPath: Deno.env.get("BENCH_JSON"),
  };
}

function median(values: number[]): number {
  return percentile(values, 50);
}

function percentile(values: number[], p: number): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/** Spawn → first stdout line, and spawn → EOF, of the fake CLI run directly from Deno (as the runner does). */
async function runDirect(
  transcript: string,
): Promise<{ firstLineMs: number; totalMs: number; bytes: number }> {
  const startedAt = performance.now();
  const child = new Deno.Command(FAKE_CLI, {
    args: CLI_ARGS,
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
    detached: true,
  }).spawn();
  const stdin = child.stdin.getWriter();
  stdin.write(new TextEncoder().encode(transcript)).then(() => stdin.close()).catch(() => {});
  let firstLineMs = NaN;
  let bytes = 0;
  for await (const chunk of child.stdout) {
    if (Number.isNaN(firstLineMs) && chunk.includes(0x0a)) firstLineMs = performance.now() - startedAt;
    bytes += chunk.length;
  }
  const totalMs = performance.now() - startedAt;
  await child.status;
  return { firstLineMs, totalMs, bytes };
}

/** `printf path | fake | cat > /dev/null`, timed inside bash so bash's own start-up is not counted. */
async function runRawPipe(transcript: string): Promise<number> {
  const script =
    's=$EPOCHREALTIME; printf %s "$1" | "$0" -p | cat > /dev/null; e=$EPOCHREALTIME; echo "$s $e"';
  const output = await new Deno.Command("bash", {
    args: ["-c", script, FAKE_CLI, transcript],
    stdout: "piped",
  })
    .output();
  const [start, end] = new TextDecoder().decode(output.stdout).trim().split(" ").map(Number);
  return (end - start) * 1000;
}

function checkStreams(reports: StreamReport[]): { lost: number; reordered: number; problems: string[] } {
  return {
    lost: reports.reduce((sum, report) => sum + report.lost, 0),
    reordered: reports.reduce((sum, report) => sum + report.reordered, 0),
    problems: reports.flatMap((report) => report.problems),
  };
}

interface Results {
  label: string;
  machine: Record<string, string>;
  settings: Settings;
  startup: { listeningMs: number; healthyMs: number; idleRssMiB: number };
  ttfe: {
    gatewayMs: number;
    directMs: number;
    overheadMs: number;
    gatewayP99Ms: number;
    directP99Ms: number;
  };
  throughput: {
    transcriptMiB: number;
    lines: number;
    gateway: { linesPerS: number; mibPerS: number; ms: number };
    denoPipe: { linesPerS: number; mibPerS: number; ms: number };
    rawPipe: { linesPerS: number; mibPerS: number; ms: number };
    serverCpuUsPerEvent: number;
    serverCpuMsPerMiB: number;
    clientCpuUsPerEvent: number;
    lost: number;
    reordered: number;
  };
  perChat: { serverCpuMs: number; wallMs: number };
  paced: { events: number; serverCpuUsPerEvent: number; lost: number; reordered: number; problems: number };
  sweep: {
    streams: number;
    wallMs: number;
    ttfeP50Ms: number;
    ttfeP99Ms: number;
    peakRssMiB: number;
    serverCpuUsPerEvent: number;
    lost: number;
    reordered: number;
    problems: number;
  }[];
  problems: string[];
}

function machine(): Record<string, string> {
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

async function measureStartup(settings: Settings): Promise<Results["startup"]> {
  const listening: number[] = [];
  const healthy: number[] = [];
  const idle: number[] = [];
  // The first start also warms Deno's module and code caches; it is not counted.
  for (let run = 0; run <= settings.startupRuns; run++) {
    const gateway = await startGateway({ claudePath: FAKE_CLI });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const rss = memoryMiB(gateway.pid).rss;
    await gateway.stop();
    if (run === 0) continue;
    listening.push(gateway.listeningMs);
    healthy.push(gateway.healthyMs);
    idle.push(rss);
  }
  return { listeningMs: median(listening), healthyMs: median(healthy), idleRssMiB: median(idle) };
}

async function measureTtfe(
  gateway: GatewayProcess,
  transcript: string,
  settings: Settings,
  signal: AbortSignal,
  problems: string[],
): Promise<Results["ttfe"]> {
  const direct: number[] = [];
  const through: number[] = [];
  const cwd = Deno.cwd();
  for (let run = -5; run < settings.ttfeRuns && !signal.aborted; run++) {
    // Alternate so drift (page cache, CPU frequency) hits both sides alike; the first runs are warm-up.
    const d = await runDirect(transcript);
    const g = await readChatStream(gateway, transcript, { expectedLines: settings.ttfeLines, cwd, signal });
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

async function measureThroughput(
  gateway: GatewayProcess,
  transcript: string,
  bytes: number,
  settings: Settings,
  signal: AbortSignal,
): Promise<Results["throughput"]> {
  const lines = settings.throughputLines;
  const rate = (ms: number) => ({ ms, linesPerS: lines / (ms / 1000), mibPerS: bytes / MiB / (ms / 1000) });
  const gatewayMs: number[] = [];
  const denoMs: number[] = [];
  const rawMs: number[] = [];
  let serverCpu = 0;
  let clientCpu = 0;
  let events = 0;
  const reports: StreamReport[] = [];
  const cwd = Deno.cwd();
  for (let run = -1; run < settings.throughputRuns && !signal.aborted; run++) {
    rawMs.push(await runRawPipe(transcript));
    denoMs.push((await runDirect(transcript)).totalMs);
    const serverBefore = cpuMs(gateway.pid);
    const clientBefore = cpuMs("self");
    const report = await readChatStream(gateway, transcript, { expectedLines: lines, cwd, signal });
    const serverAfter = cpuMs(gateway.pid);
    const clientAfter = cpuMs("self");
    if (run < 0) {
      rawMs.pop();
      denoMs.pop();
      continue;
    }
    reports.push(report);
    gatewayMs.push(report.totalMs);
    serverCpu += serverAfter - serverBefore;
    clientCpu += clientAfter - clientBefore;
    events += report.messages;
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

/** Short chats one after another: the fixed server cost of a chat (HTTP, auth, validation, spawn, exit). */
async function measurePerChat(
  gateway: GatewayProcess,
  transcript: string,
  settings: Settings,
  signal: AbortSignal,
  problems: string[],
): Promise<Results["perChat"]> {
  const cwd = Deno.cwd();
  const walls: number[] = [];
  await readChatStream(gateway, transcript, { expectedLines: 2, cwd, signal });
  const before = cpuMs(gateway.pid);
  let runs = 0;
  for (; runs < settings.chatRuns && !signal.aborted; runs++) {
    const report = await readChatStream(gateway, transcript, { expectedLines: 2, cwd, signal });
    problems.push(...report.problems);
    walls.push(report.totalMs);
  }
  return { serverCpuMs: (cpuMs(gateway.pid) - before) / runs, wallMs: median(walls) };
}

/** Streams whose CLI prints one line per write, as the real one does: one line per read in the server. */
async function measurePaced(
  gateway: GatewayProcess,
  transcript: string,
  settings: Settings,
  signal: AbortSignal,
  problems: string[],
): Promise<Results["paced"]> {
  const cwd = Deno.cwd();
  const prompt = `paced ${settings.pacedPauseMs} ${transcript}`;
  const before = cpuMs(gateway.pid);
  const reports = await Promise.all(
    Array.from(
      { length: settings.pacedStreams },
      () => readChatStream(gateway, prompt, { expectedLines: settings.pacedLines, cwd, signal }),
    ),
  );
  const cpu = cpuMs(gateway.pid) - before;
  const checked = checkStreams(reports);
  problems.push(...checked.problems.slice(0, 5));
  const events = reports.reduce((sum, report) => sum + report.messages, 0);
  return {
    events,
    serverCpuUsPerEvent: cpu * 1000 / events,
    lost: checked.lost,
    reordered: checked.reordered,
    problems: checked.problems.length,
  };
}

async function measureSweep(
  gateway: GatewayProcess,
  transcript: string,
  settings: Settings,
  signal: AbortSignal,
  problems: string[],
): Promise<Results["sweep"]> {
  const rows: Results["sweep"] = [];
  const cwd = Deno.cwd();
  for (const streams of settings.sweep) {
    const walls: number[] = [];
    const ttfes: number[] = [];
    let peak = 0;
    let serverCpu = 0;
    let events = 0;
    const reports: StreamReport[] = [];
    const runs = streams === 1 ? settings.sweepRuns * 5 : settings.sweepRuns;
    for (let run = 0; run < runs && !signal.aborted; run++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      const peakReset = resetPeakRss(gateway.pid);
      const sampler = sampleRss(gateway.pid, 10);
      const cpuBefore = cpuMs(gateway.pid);
      const startedAt = performance.now();
      const batch = await Promise.all(
        Array.from(
          { length: streams },
          () => readChatStream(gateway, transcript, { expectedLines: settings.sweepLines, cwd, signal }),
        ),
      );
      walls.push(performance.now() - startedAt);
      serverCpu += cpuMs(gateway.pid) - cpuBefore;
      const sampled = sampler.stop();
      peak = Math.max(peak, sampled, peakReset ? memoryMiB(gateway.pid).hwm : 0);
      for (const report of batch) {
        ttfes.push(report.ttfeMs);
        events += report.messages;
      }
      reports.push(...batch);
    }
    const checked = checkStreams(reports);
    problems.push(...checked.problems.slice(0, 5));
    rows.push({
      streams,
      wallMs: median(walls),
      ttfeP50Ms: percentile(ttfes, 50),
      ttfeP99Ms: percentile(ttfes, 99),
      peakRssMiB: peak,
      serverCpuUsPerEvent: serverCpu * 1000 / events,
      lost: checked.lost + (streams * runs - reports.length) * settings.sweepLines,
      reordered: checked.reordered,
      problems: checked.problems.length,
    });
  }
  return rows;
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "n/a";
}

function verdict(ok: boolean): string {
  return ok ? "met" : "NOT met";
}

/**
 * Renders the results as Markdown tables.
 * @param results one bench run
 */
export function renderTable(results: Results): string {
  const { startup, ttfe, throughput: tp, sweep } = results;
  const half = tp.rawPipe.mibPerS / 2;
  const sweep500 = sweep.find((row) => row.streams === 500);
  const out: string[] = [];
  out.push(`### ${results.label}`, "");
  out.push("| measure | gateway | baseline | target | |", "|---|---:|---:|---|---|");
  out.push(
    `| time to first event, median (p99) | ${fixed(ttfe.gatewayMs, 2)} ms (${
      fixed(ttfe.gatewayP99Ms, 2)
    }) | ` +
      `${fixed(ttfe.directMs, 2)} ms (${fixed(ttfe.directP99Ms, 2)}) direct spawn | overhead ≤ 5 ms: ` +
      `**${fixed(ttfe.overheadMs, 2)} ms** | ${verdict(ttfe.overheadMs <= 5)} |`,
  );
  out.push(
    `| one stream, ${tp.lines} lines, ${fixed(tp.transcriptMiB, 1)} MiB | ${
      fixed(tp.gateway.mibPerS, 1)
    } MiB/s, ` +
      `${fixed(tp.gateway.linesPerS / 1000, 0)} k lines/s | raw pipe ${
        fixed(tp.rawPipe.mibPerS, 1)
      } MiB/s; ` +
      `Deno pipe read ${fixed(tp.denoPipe.mibPerS, 1)} MiB/s | ≥ ${fixed(half, 1)} MiB/s (½ raw) | ` +
      `${verdict(tp.gateway.mibPerS >= half)} |`,
  );
  out.push(
    `| server CPU per forwarded event | ${fixed(tp.serverCpuUsPerEvent, 2)} µs (${
      fixed(tp.serverCpuMsPerMiB, 2)
    } ` +
      `ms/MiB) | client: ${fixed(tp.clientCpuUsPerEvent, 2)} µs/event | ≤ 20 µs | ` +
      `${verdict(tp.serverCpuUsPerEvent <= 20)} |`,
  );
  const paced = results.paced;
  const ps = results.settings;
  out.push(
    `| server CPU per event, paced (${ps.pacedStreams} streams × ${ps.pacedLines} lines, one line per write ` +
      `every ${ps.pacedPauseMs} ms) | ${fixed(paced.serverCpuUsPerEvent, 2)} µs (${paced.lost} lost, ` +
      `${paced.reordered} reordered) | | ≤ 20 µs | ${verdict(paced.serverCpuUsPerEvent <= 20)} |`,
  );
  out.push(
    `| server cost of one short chat (2 lines) | ${fixed(results.perChat.serverCpuMs, 2)} ms CPU, ` +
      `${fixed(results.perChat.wallMs, 2)} ms wall | | | |`,
  );
  if (sweep500) {
    out.push(
      `| 500 concurrent streams | ${sweep500.lost} lost, ${sweep500.reordered} reordered, peak RSS ` +
        `${fixed(sweep500.peakRssMiB, 0)} MiB | | 0 lost, < 200 MB | ` +
        `${verdict(sweep500.lost === 0 && sweep500.reordered === 0 && sweep500.peakRssMiB * MiB < 200e6)} |`,
    );
  }
  out.push(
    `| start-up: spawn → listening / → /health 200 | ${fixed(startup.listeningMs, 0)} ms / ` +
      `${fixed(startup.healthyMs, 0)} ms | | | |`,
  );
  out.push(`| idle RSS | ${fixed(startup.idleRssMiB, 1)} MiB | | | |`, "");
  const s = results.settings;
  out.push(
    `Concurrency sweep (${s.sweepLines} lines × ${s.sweepLineBytes} B per stream; medians of ${s.sweepRuns} runs, ` +
      `×5 for 1 stream; on a fresh server):`,
    "",
  );
  out.push(
    "| streams | wall | TTFE p50 | TTFE p99 | server peak RSS | server CPU/event | lost | reordered | other problems |",
    "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  );
  for (const row of sweep) {
    out.push(
      `| ${row.streams} | ${fixed(row.wallMs, 0)} ms | ${fixed(row.ttfeP50Ms, 1)} ms | ${
        fixed(row.ttfeP99Ms, 1)
      } ms | ` +
        `${fixed(row.peakRssMiB, 0)} MiB | ${
          fixed(row.serverCpuUsPerEvent, 2)
        } µs | ${row.lost} | ${row.reordered} | ` +
        `${row.problems} |`,
    );
  }
  if (results.problems.length > 0) {
    out.push(
      "",
      `Problems (${results.problems.length}, first 5):`,
      ...results.problems.slice(0, 5).map((p) => `- ${p}`),
    );
  }
  return out.join("\n");
}

async function main(): Promise<void> {
  const settings = readSettings();
  const signal = AbortSignal.timeout(settings.deadlineS * 1000);
  const label = Deno.env.get("BENCH_LABEL") ?? `bench ${new Date().toISOString()}`;
  const dir = await Deno.makeTempDir({ prefix: "claudecode2api-bench-" });
  const problems: string[] = [];
  try {
    const log = (message: string) => console.error(`[bench] ${message}`);
    const ttfeTranscript = `${dir}/ttfe.jsonl`;
    const throughputTranscript = `${dir}/throughput.jsonl`;
    const sweepTranscript = `${dir}/sweep.jsonl`;
    const chatTranscript = `${dir}/chat.jsonl`;
    const pacedTranscript = `${dir}/paced.jsonl`;
    await writeTranscript(chatTranscript, { lines: 2, lineBytes: 400 });
    await writeTranscript(pacedTranscript, {
      lines: settings.pacedLines,
      lineBytes: settings.throughputLineBytes,
    });
    await writeTranscript(ttfeTranscript, { lines: settings.ttfeLines, lineBytes: settings.ttfeLineBytes });
    const throughputBytes = await writeTranscript(throughputTranscript, {
      lines: settings.throughputLines,
      lineBytes: settings.throughputLineBytes,
    });
    await writeTranscript(sweepTranscript, {
      lines: settings.sweepLines,
      lineBytes: settings.sweepLineBytes,
    });

    log("start-up");
    const startup = await measureStartup(settings);
    const gateway = await startGateway({ claudePath: FAKE_CLI });
    try {
      log("time to first event");
      const ttfe = await measureTtfe(gateway, ttfeTranscript, settings, signal, problems);
      log("one-stream throughput");
      const throughput = await measureThroughput(
        gateway,
        throughputTranscript,
        throughputBytes,
        settings,
        signal,
      );
      log("per-chat cost");
      const perChat = await measurePerChat(gateway, chatTranscript, settings, signal, problems);
      log("paced streams");
      const paced = await measurePaced(gateway, pacedTranscript, settings, signal, problems);
      log("concurrency sweep");
      // A fresh server, so its peak RSS is what the concurrent streams cost and not the heap that the
      // 48 MB throughput phase left grown.
      const sweepGateway = await startGateway({ claudePath: FAKE_CLI });
      let sweep: Results["sweep"];
      try {
        sweep = await measureSweep(sweepGateway, sweepTranscript, settings, signal, problems);
      } finally {
        await sweepGateway.stop();
      }
      if (signal.aborted) {
        problems.push(`the run hit BENCH_DEADLINE_S=${settings.deadlineS} and was cut short`);
      }
      const results: Results = {
        label,
        machine: machine(),
        settings,
        startup,
        ttfe,
        throughput,
        perChat,
        paced,
        sweep,
        problems,
      };
      console.log(renderTable(results));
      const m = results.machine;
      console.log(
        `\nMachine: ${m.nproc} × ${m.cpu}, ${m.memory} RAM, Linux ${m.kernel}, Deno ${m.deno} (V8 ${m.v8})`,
      );
      if (settings.jsonPath) await Deno.writeTextFile(settings.jsonPath, JSON.stringify(results, null, 2));
    } finally {
      await gateway.stop();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
