/**
 * Phase "replay": what reattaching costs. A chat's 100,000 retained lines replayed to a watcher that comes
 * late, and the server's memory when 100 finished chats each hold a full `REPLAY_BYTES` of events.
 *
 * @module
 */

import { memoryMiB } from "../testkit/proc_stats.ts";
import { SERVER_AUTH, type ServerProcess } from "../testkit/server_process.ts";
import { replayPrompt, startBenchServer } from "./bench_server.ts";
import { median } from "./stats.ts";

const MiB = 1024 * 1024;
/** The default `REPLAY_BYTES`, which the memory measure fills. */
const REPLAY_BYTES = 16 * MiB;

/** What the phase found. */
export interface ReplayResult {
  /** Lines replayed to the late watcher, and their SSE bytes. */
  lines: number;
  bytes: number;
  /** Median time from the request to the last byte of the replay, ms. */
  replayMs: number;
  /** Chats holding a full REPLAY_BYTES each, and the server's RSS then and idle before them. */
  chats: number;
  idleRssMiB: number;
  fullRssMiB: number;
}

/** Reads a response to its end; returns its size and whether it ended with a `done` event. */
async function drain(response: Response): Promise<{ bytes: number; done: boolean }> {
  let bytes = 0;
  let tail = "";
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) {
    bytes += chunk.length;
    tail = (tail + decoder.decode(chunk.subarray(Math.max(0, chunk.length - 4096)))).slice(-4096);
  }
  return { bytes, done: /event: done\ndata: /.test(tail) };
}

/** `POST /chat` of a replayed transcript, read to its end; the chat's id. */
async function runChat(server: ServerProcess, transcript: string): Promise<string> {
  const response = await fetch(`${server.url}/chat`, {
    method: "POST",
    headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
    body: JSON.stringify({ prompt: replayPrompt(transcript), cwd: Deno.cwd() }),
  });
  const id = response.headers.get("X-Process-ID")!;
  if (!(await drain(response)).done) throw new Error(`chat ${id} ended without done`);
  return id;
}

async function replayTime(transcript: string, lines: number, runs: number, problems: string[]) {
  const server = await startBenchServer({ env: { REPLAY_BYTES: String(512 * MiB) } });
  try {
    const id = await runChat(server, transcript);
    const times: number[] = [];
    let bytes = 0;
    for (let run = 0; run < runs; run++) {
      const startedAt = performance.now();
      const replay = await drain(await fetch(`${server.url}/chat/${id}/events`, { headers: SERVER_AUTH }));
      times.push(performance.now() - startedAt);
      bytes = replay.bytes;
      if (!replay.done) problems.push("a replay ended without done");
    }
    return { lines, bytes, replayMs: median(times) };
  } finally {
    await server.stop(10_000);
  }
}

async function fullRetention(transcript: string, chats: number) {
  const server = await startBenchServer({
    env: { REPLAY_BYTES: String(REPLAY_BYTES), RETAIN_FINISHED_S: "600" },
  });
  try {
    const idleRssMiB = memoryMiB(server.child.pid).rss;
    for (let started = 0; started < chats; started += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, chats - started) }, () => runChat(server, transcript)),
      );
    }
    return { chats, idleRssMiB, fullRssMiB: memoryMiB(server.child.pid).rss };
  } finally {
    await server.stop(10_000);
  }
}

/**
 * Measures the replay of `transcripts.lines` (`lines` lines) to a late watcher, and the RSS with `chats`
 * chats each retaining a full REPLAY_BYTES (`transcripts.full` must print more than that).
 * @param transcripts the transcript to replay, and the one that overfills REPLAY_BYTES
 * @param options counts, and where problems go
 */
export async function measureReplay(
  transcripts: { lines: string; full: string },
  options: { lines: number; chats: number; runs: number; problems: string[] },
): Promise<ReplayResult> {
  const replay = await replayTime(transcripts.lines, options.lines, options.runs, options.problems);
  const memory = await fullRetention(transcripts.full, options.chats);
  return { ...replay, ...memory };
}

/** The phase's results as a Markdown table. */
export function renderReplay(result: ReplayResult): string {
  return [
    "| reattach measure | result |",
    "|---|---:|",
    `| replay of ${result.lines} retained lines (${
      (result.bytes / MiB).toFixed(1)
    } MiB of SSE) to a new watcher, ` +
    `median | ${result.replayMs.toFixed(0)} ms (${(result.lines / result.replayMs).toFixed(0)} k lines/s) |`,
    `| server RSS, idle → ${result.chats} finished chats each holding a full REPLAY_BYTES (16 MiB) | ` +
    `${result.idleRssMiB.toFixed(0)} → ${result.fullRssMiB.toFixed(0)} MiB |`,
  ].join("\n");
}
