/**
 * Phase "per-chat cost": short chats one after another, the fixed server cost of a chat (HTTP, auth,
 * validation, spawn, exit).
 *
 * @module
 */

import { readChatStream } from "../testkit/chat_stream.ts";
import { type BenchContext, replayPrompt } from "./bench_server.ts";
import { median } from "./stats.ts";

/** Server CPU per chat (mean) and wall time per chat (median). */
export interface PerChatResult {
  serverCpuMs: number;
  wallMs: number;
}

/**
 * One warm-up chat, then `chatRuns` chats of a two-line transcript.
 * @param context the server and settings
 * @param transcript the two-line transcript
 */
export async function measurePerChat(context: BenchContext, transcript: string): Promise<PerChatResult> {
  const { server, settings, signal, cpuMs, problems } = context;
  const options = { expectedLines: 2, cwd: Deno.cwd(), signal };
  const prompt = replayPrompt(transcript);
  const walls: number[] = [];
  await readChatStream(server, prompt, options);
  const before = cpuMs(server.child.pid);
  let runs = 0;
  for (; runs < settings.chatRuns && !signal.aborted; runs++) {
    const report = await readChatStream(server, prompt, options);
    problems.push(...report.problems);
    walls.push(report.totalMs);
  }
  return { serverCpuMs: (cpuMs(server.child.pid) - before) / runs, wallMs: median(walls) };
}
