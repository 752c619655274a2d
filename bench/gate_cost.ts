/**
 * `deno run --allow-all bench/gate_cost.ts`: what the connection gate (`MAX_CONNECTIONS`, `HEADER_TIMEOUT_S`)
 * costs, measured on two gateways side by side, one without the gate and one behind it, taking turns so that
 * a busy machine slows both alike:
 * - one big chat stream (the throughput phase's transcript): time, MiB/s, server CPU per MiB;
 * - paced streams, one line per write as the real CLI prints (10 at once, 500 lines 1 ms apart): server CPU
 *   per event;
 * - many small requests, each on a new connection (`GET /health`, `Connection: close`): time per request;
 * - file descriptors the server holds per idle connection, before its first request and after one request
 *   (kept alive).
 *
 * Settings: `BENCH_GATE_RUNS` (rounds, default 5), `BENCH_THROUGHPUT_LINES` / `BENCH_THROUGHPUT_LINE_BYTES`
 * (the stream, default 100 000 × 500 B), `BENCH_GATE_CONNS` (idle connections, default 200),
 * `BENCH_GATE_REQUESTS` (small requests per round, default 300).
 *
 * @module
 */

import { readChatStream } from "../testkit/chat_stream.ts";
import { cpuClock, fdCount } from "../testkit/proc_stats.ts";
import type { ServerProcess } from "../testkit/server_process.ts";
import { closeAll, openIdle } from "../testkit/tcp_flood.ts";
import { waitFor } from "../testkit/wait_for.ts";
import { replayPrompt, startBenchServer } from "./bench_server.ts";
import { median } from "./stats.ts";
import { writeTranscript } from "./transcript.ts";

const MiB = 1024 * 1024;
const GATE = { MAX_CONNECTIONS: "1000", HEADER_TIMEOUT_S: "10" };
const cpuMs = cpuClock();

function int(name: string, fallback: number): number {
  const value = Number(Deno.env.get(name) ?? fallback);
  return Number.isInteger(value) && value > 0 ? value : fallback;
}

/** Figures of one gateway. */
interface Figures {
  streamMs: number[];
  serverCpuMs: number[];
  pacedCpuUsPerEvent: number[];
  requestMs: number[];
  problems: string[];
}

function portOf(server: ServerProcess): number {
  return Number(new URL(server.url).port);
}

/** One big stream; its time and the server CPU it cost. */
async function oneStream(server: ServerProcess, transcript: string, lines: number, figures: Figures) {
  const before = cpuMs(server.child.pid);
  const report = await readChatStream(server, replayPrompt(transcript), {
    expectedLines: lines,
    cwd: Deno.cwd(),
    signal: AbortSignal.timeout(300_000),
  });
  figures.streamMs.push(report.totalMs);
  figures.serverCpuMs.push(cpuMs(server.child.pid) - before);
  figures.problems.push(...report.problems);
  if (report.lost > 0 || report.reordered > 0) figures.problems.push(`lost ${report.lost}`);
}

const PACED = { streams: 10, lines: 500 };

/** Paced streams at once; the server CPU per event they cost. */
async function pacedStreams(server: ServerProcess, transcript: string, figures: Figures) {
  const before = cpuMs(server.child.pid);
  const reports = await Promise.all(
    Array.from({ length: PACED.streams }, () =>
      readChatStream(server, `paced 1 ${transcript}`, {
        expectedLines: PACED.lines,
        cwd: Deno.cwd(),
        signal: AbortSignal.timeout(300_000),
      })),
  );
  const events = reports.reduce((n, report) => n + report.messages, 0);
  figures.pacedCpuUsPerEvent.push((cpuMs(server.child.pid) - before) * 1000 / events);
  figures.problems.push(...reports.flatMap((report) => report.problems));
}

/** Sends one raw HTTP/1.1 request on `conn` and reads the answer's head (and what came with it). */
async function request(conn: Deno.TcpConn, close: boolean): Promise<string> {
  const head = `GET /health HTTP/1.1\r\nHost: bench\r\n${close ? "Connection: close\r\n" : ""}\r\n`;
  await conn.write(new TextEncoder().encode(head));
  const buffer = new Uint8Array(64 * 1024);
  let text = "";
  for (;;) {
    const read = await conn.read(buffer);
    if (read === null) return text;
    text += new TextDecoder().decode(buffer.subarray(0, read));
    if (!close && text.includes("\r\n\r\n") && text.includes("}")) return text;
  }
}

/** `count` requests, each on a new connection; the median time of one. */
async function smallRequests(server: ServerProcess, count: number, figures: Figures) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const conn = await Deno.connect({ hostname: "127.0.0.1", port: portOf(server) });
    try {
      const answer = await request(conn, true);
      if (!answer.startsWith("HTTP/1.1 200")) figures.problems.push(answer.slice(0, 80));
    } finally {
      conn.close();
    }
    times.push(performance.now() - started);
  }
  figures.requestMs.push(median(times));
}

/** Descriptors the server holds per idle connection: before any request, and kept alive after one. */
async function fdsPerConnection(server: ServerProcess, count: number) {
  const pid = server.child.pid;
  const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
  await settle();
  const base = fdCount(pid);
  const silent = await openIdle(portOf(server), count);
  await waitFor(() => fdCount(pid) >= base + silent.length, "the server to accept the silent connections");
  await settle();
  const withSilent = fdCount(pid);
  closeAll(silent);
  await waitFor(() => fdCount(pid) <= base, "the silent connections to close", 20_000);
  const kept = await openIdle(portOf(server), count);
  for (const conn of kept) await request(conn, false);
  await settle();
  const withKept = fdCount(pid);
  closeAll(kept);
  await waitFor(() => fdCount(pid) <= base, "the kept-alive connections to close", 20_000);
  return { silent: (withSilent - base) / count, keptAlive: (withKept - base) / count };
}

function describe(label: string, f: Figures, bytes: number, fds: { silent: number; keptAlive: number }) {
  const ms = median(f.streamMs);
  const cpu = median(f.serverCpuMs);
  return `${label.padEnd(22)} stream ${ms.toFixed(0).padStart(6)} ms ${
    (bytes / MiB / (ms / 1000)).toFixed(1).padStart(6)
  } MiB/s` +
    `  server CPU ${(cpu / (bytes / MiB)).toFixed(2)} ms/MiB` +
    `  paced ${median(f.pacedCpuUsPerEvent).toFixed(1)} µs/event` +
    `  new-connection request ${median(f.requestMs).toFixed(2)} ms` +
    `  fds/conn silent ${fds.silent.toFixed(2)} kept-alive ${fds.keptAlive.toFixed(2)}` +
    `  (stream runs: ${f.streamMs.map((t) => t.toFixed(0)).join(", ")})`;
}

async function main(): Promise<void> {
  const runs = int("BENCH_GATE_RUNS", 5);
  const lines = int("BENCH_THROUGHPUT_LINES", 100_000);
  const lineBytes = int("BENCH_THROUGHPUT_LINE_BYTES", 500);
  const conns = int("BENCH_GATE_CONNS", 200);
  const requests = int("BENCH_GATE_REQUESTS", 300);
  const dir = await Deno.makeTempDir({ prefix: "cc2api-gate-cost-" });
  const servers: ServerProcess[] = [];
  try {
    const transcript = `${dir}/throughput.jsonl`;
    const bytes = await writeTranscript(transcript, { lines, lineBytes });
    const paced = `${dir}/paced.jsonl`;
    await writeTranscript(paced, { lines: PACED.lines, lineBytes });
    servers.push(await startBenchServer(), await startBenchServer({ env: GATE }));
    const fresh = (): Figures => ({
      streamMs: [],
      serverCpuMs: [],
      pacedCpuUsPerEvent: [],
      requestMs: [],
      problems: [],
    });
    const figures = servers.map(fresh);
    for (let round = -1; round < runs; round++) {
      // A warm-up round first; then the two take turns, and which goes first alternates.
      const order = round % 2 === 0 ? [0, 1] : [1, 0];
      for (const i of order) {
        const target = round < 0 ? fresh() : figures[i];
        await oneStream(servers[i], transcript, lines, target);
        await pacedStreams(servers[i], paced, target);
        await smallRequests(servers[i], requests, target);
      }
      console.error(`[gate] round ${round + 1}/${runs} done`);
    }
    const fds = [];
    for (const server of servers) fds.push(await fdsPerConnection(server, conns));
    console.log(`stream: ${lines} lines, ${(bytes / MiB).toFixed(1)} MiB; ${runs} rounds; medians`);
    console.log(describe("gate off", figures[0], bytes, fds[0]));
    console.log(describe("gate on (1000, 10 s)", figures[1], bytes, fds[1]));
    const problems = figures.flatMap((f) => f.problems);
    if (problems.length > 0) console.log(`problems: ${problems.slice(0, 5).join(" | ")}`);
  } finally {
    for (const server of servers) await server.stop(10_000);
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
