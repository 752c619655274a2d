/**
 * Profiles the gateway's hot path: starts it with `--inspect`, records a V8 CPU profile over the Chrome
 * DevTools protocol while a workload runs, writes the `.cpuprofile` (open it in Chrome DevTools) and prints
 * the functions with the most self time.
 *
 * Usage: `deno run --allow-all bench/profile.ts [throughput|chats|concurrent|paced] [out.cpuprofile]`
 */

import { readChatStream } from "../testkit/chat_stream.ts";
import { cpuClock } from "../testkit/proc_stats.ts";
import { replayPrompt, startBenchServer } from "./bench_server.ts";
import { writeTranscript } from "./transcript.ts";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

function inspectorSession(url: string): Promise<(method: string, params?: unknown) => Promise<unknown>> {
  const socket = new WebSocket(url);
  let nextId = 1;
  const waiting = new Map<number, (result: unknown) => void>();
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    if (message.id !== undefined) waiting.get(message.id)?.(message.result ?? message.error);
  };
  const send = (method: string, params: unknown = {}) =>
    new Promise<unknown>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      socket.send(JSON.stringify({ id, method, params }));
    });
  return new Promise((resolve, reject) => {
    socket.onopen = () => resolve(send);
    socket.onerror = () => reject(new Error(`cannot connect to ${url}`));
  });
}

function summarize(profile: CpuProfile, top: number): string {
  const total = profile.samples.length;
  const self = new Map<string, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const file = url.replace(/^.*\/(main|npm|ext)\//, "$1/").replace(/^file:\/\//, "");
    const key = `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + (node.hitCount ?? 0));
  }
  return [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, top)
    .map(([key, hits]) => `${(100 * hits / total).toFixed(1).padStart(5)}%  ${key}`).join("\n");
}

async function main(): Promise<void> {
  const workload = Deno.args[0] ?? "throughput";
  const out = Deno.args[1] ?? `/tmp/claudecode2api-${workload}.cpuprofile`;
  const dir = await Deno.makeTempDir({ prefix: "claudecode2api-profile-" });
  const shapes = {
    throughput: [100_000, 500, 3, 1],
    chats: [2, 300, 300, 1],
    concurrent: [200, 500, 3, 100],
    paced: [1000, 500, 1, 20],
  };
  const [lines, lineBytes, runs, streams] = shapes[workload as keyof typeof shapes] ?? shapes.throughput;
  const transcript = `${dir}/transcript.jsonl`;
  await writeTranscript(transcript, { lines, lineBytes });
  const gateway = await startBenchServer({ denoFlags: ["--inspect=127.0.0.1:0"] });
  try {
    const wsUrl = gateway.output().match(/ws:\/\/\S+/)?.[0];
    if (!wsUrl) throw new Error(`no inspector URL in:\n${gateway.output()}`);
    const send = await inspectorSession(wsUrl);
    const signal = AbortSignal.timeout(120_000);
    const prompt = workload === "paced" ? `paced 1 ${transcript}` : replayPrompt(transcript);
    const run = () => readChatStream(gateway, prompt, { expectedLines: lines, cwd: dir, signal });
    await run(); // warm-up, not profiled
    await send("Profiler.enable");
    await send("Profiler.setSamplingInterval", { interval: 100 });
    await send("Profiler.start");
    const cpuMs = cpuClock();
    const cpuBefore = cpuMs(gateway.child.pid);
    const startedAt = performance.now();
    let events = 0;
    for (let i = 0; i < runs && !signal.aborted; i++) {
      const reports = await Promise.all(Array.from({ length: streams }, run));
      events += reports.reduce((sum, report) => sum + report.messages, 0);
    }
    const wallMs = performance.now() - startedAt;
    const cpu = cpuMs(gateway.child.pid) - cpuBefore;
    const { profile } = await send("Profiler.stop") as { profile: CpuProfile };
    await Deno.writeTextFile(out, JSON.stringify(profile));
    console.log(
      `${workload}: ${events} events in ${wallMs.toFixed(0)} ms, server CPU ${cpu.toFixed(0)} ms ` +
        `(${(cpu * 1000 / events).toFixed(2)} µs/event, profiler on); profile: ${out}\n`,
    );
    console.log(summarize(profile, Number(Deno.env.get("PROFILE_TOP") ?? 35)));
  } finally {
    await gateway.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) await main();
