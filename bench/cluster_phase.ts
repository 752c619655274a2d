/**
 * Phase "cluster": what a node of a cluster (`REDIS_URL`) pays for mirroring each chat to Redis, against a
 * single gateway with its in-memory log only: the gateway's CPU per event (and Redis's), and the latency a
 * watcher on another node adds (it reads the chat's Redis stream) over a watcher on the chat's own node.
 *
 * @module
 */

import { cpuClock } from "../testkit/proc_stats.ts";
import { startRedis } from "../testkit/redis_server.ts";
import { SERVER_AUTH, type ServerProcess } from "../testkit/server_process.ts";
import { replayPrompt, startBenchServer } from "./bench_server.ts";
import { median, percentile } from "./stats.ts";
import { writeTranscript } from "./transcript.ts";

/** What the phase found. */
export interface ClusterResult {
  /** Events per chat of the CPU measure. */
  events: number;
  /** Gateway CPU per event, µs (median of the runs): single gateway, node of a cluster. */
  singleUsPerEvent: number;
  nodeUsPerEvent: number;
  /** Redis CPU per event while the node ran, µs. */
  redisUsPerEvent: number;
  /** Wall time of the chat, ms (median): single gateway, node. */
  singleMs: number;
  nodeMs: number;
  /** Events of the latency measure, and what a watcher on another node lags the chat's own client, ms. */
  pacedEvents: number;
  addedLatencyMedianMs: number;
  addedLatencyP95Ms: number;
}

/** Reads a chat's SSE stream to its end, noting when each event id arrived (performance.now()). */
async function arrivals(response: Response): Promise<Map<number, number>> {
  const seen = new Map<number, number>();
  const decoder = new TextDecoder();
  let buffer = "";
  for await (const chunk of response.body!) {
    const now = performance.now();
    buffer += decoder.decode(chunk, { stream: true });
    const end = buffer.lastIndexOf("\n\n");
    if (end === -1) continue;
    for (const match of buffer.slice(0, end).matchAll(/^id: (\d+)$/gm)) seen.set(Number(match[1]), now);
    buffer = buffer.slice(end + 2);
  }
  return seen;
}

function startChat(server: ServerProcess, prompt: string): Promise<Response> {
  return fetch(`${server.url}/chat`, {
    method: "POST",
    headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
    body: JSON.stringify({ prompt, cwd: Deno.cwd() }),
  });
}

/** CPU (µs per event) and wall time (ms) of `runs` chats of `transcript` on `server`. */
async function cpuPerEvent(
  server: ServerProcess,
  transcript: string,
  events: number,
  runs: number,
  redisPid?: number,
) {
  const cpuMs = cpuClock();
  const perEvent: number[] = [];
  const redisPerEvent: number[] = [];
  const wall: number[] = [];
  for (let run = 0; run < runs; run++) {
    const before = cpuMs(server.child.pid);
    const redisBefore = redisPid === undefined ? 0 : cpuMs(redisPid);
    const startedAt = performance.now();
    const seen = await arrivals(await startChat(server, replayPrompt(transcript)));
    wall.push(performance.now() - startedAt);
    if (seen.size < events) throw new Error(`a chat of ${events} events delivered ${seen.size}`);
    // Let the node's last pipelines reach Redis before reading its CPU.
    await new Promise((resolve) => setTimeout(resolve, 200));
    perEvent.push((cpuMs(server.child.pid) - before) * 1000 / seen.size);
    if (redisPid !== undefined) redisPerEvent.push((cpuMs(redisPid) - redisBefore) * 1000 / seen.size);
  }
  return { usPerEvent: median(perEvent), redisUsPerEvent: median(redisPerEvent), ms: median(wall) };
}

/** How much later each live event reaches a watcher on `other` than the client on `owner`, ms. */
async function addedLatency(owner: ServerProcess, other: ServerProcess, transcript: string, pauseMs: number) {
  const response = await startChat(owner, `paced ${pauseMs} ${transcript}`);
  const id = response.headers.get("X-Process-ID")!;
  const token = response.headers.get("X-Watch-Token")!;
  const local = arrivals(response);
  // Attach once the chat is known cluster-wide; events before that come as a replay and are not counted.
  let remoteResponse: Response;
  for (;;) {
    remoteResponse = await fetch(`${other.url}/chat/${id}/events?token=${token}`);
    if (remoteResponse.status === 200) break;
    await remoteResponse.body?.cancel();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const attachedAt = performance.now();
  const [mine, theirs] = await Promise.all([local, arrivals(remoteResponse)]);
  const lags: number[] = [];
  for (const [eventId, at] of mine) {
    const remoteAt = theirs.get(eventId);
    if (remoteAt !== undefined && at > attachedAt + 50) lags.push(remoteAt - at);
  }
  return { events: lags.length, medianMs: median(lags), p95Ms: percentile(lags, 95) };
}

/**
 * Runs the phase on a fresh Redis, one single gateway and two nodes.
 * @param dir where its transcripts go
 * @param options events per chat and runs
 */
export async function measureCluster(
  dir: string,
  options: { events: number; runs: number; pacedEvents: number; pauseMs: number },
): Promise<ClusterResult> {
  const transcript = `${dir}/cluster.jsonl`;
  const paced = `${dir}/cluster-paced.jsonl`;
  await writeTranscript(transcript, { lines: options.events, lineBytes: 300 });
  await writeTranscript(paced, { lines: options.pacedEvents, lineBytes: 300 });
  const redis = await startRedis();
  const servers: ServerProcess[] = [];
  try {
    const single = await startBenchServer();
    servers.push(single);
    const nodeEnv = (id: string) => ({ REDIS_URL: redis.url, NODE_ID: id });
    const a = await startBenchServer({ env: nodeEnv("a") });
    servers.push(a);
    const b = await startBenchServer({ env: nodeEnv("b") });
    servers.push(b);
    const alone = await cpuPerEvent(single, transcript, options.events, options.runs);
    const node = await cpuPerEvent(a, transcript, options.events, options.runs, redis.pid());
    const latency = await addedLatency(a, b, paced, options.pauseMs);
    return {
      events: options.events,
      singleUsPerEvent: alone.usPerEvent,
      nodeUsPerEvent: node.usPerEvent,
      redisUsPerEvent: node.redisUsPerEvent,
      singleMs: alone.ms,
      nodeMs: node.ms,
      pacedEvents: latency.events,
      addedLatencyMedianMs: latency.medianMs,
      addedLatencyP95Ms: latency.p95Ms,
    };
  } finally {
    await Promise.all(servers.map((server) => server.stop(10_000)));
    await redis.stop();
  }
}

/** The phase's results as a Markdown table. */
export function renderCluster(result: ClusterResult): string {
  const extra = result.nodeUsPerEvent - result.singleUsPerEvent;
  return [
    "| cluster measure (REDIS_URL) | single gateway | node of a cluster |",
    "|---|---:|---:|",
    `| gateway CPU per event, chat of ${result.events} events, median | ${
      result.singleUsPerEvent.toFixed(2)
    } µs | ${result.nodeUsPerEvent.toFixed(2)} µs (+${extra.toFixed(2)}) |`,
    `| redis-server CPU per event | – | ${result.redisUsPerEvent.toFixed(2)} µs |`,
    `| wall time of that chat, median | ${result.singleMs.toFixed(0)} ms | ${result.nodeMs.toFixed(0)} ms |`,
    `| a watcher on another node lags the chat's own client, ${result.pacedEvents} paced events | – | ` +
    `median ${result.addedLatencyMedianMs.toFixed(2)} ms, p95 ${result.addedLatencyP95Ms.toFixed(2)} ms |`,
  ].join("\n");
}
