/**
 * Phase "paced streams": CLIs that print one line per write, as the real one does, so the server gets one
 * line per read and per-batch costs count per event.
 *
 * @module
 */

import { readChatStream } from "../testkit/chat_stream.ts";
import type { BenchContext } from "./bench_server.ts";
import { checkStreams, messagesOf } from "./stats.ts";

/** Server CPU per event and what the paced streams lost. */
export interface PacedResult {
  events: number;
  serverCpuUsPerEvent: number;
  lost: number;
  reordered: number;
  problems: number;
}

/**
 * `pacedStreams` streams at once, `pacedLines` lines each, `pacedPauseMs` apart.
 * @param context the server and settings
 * @param transcript the paced transcript
 */
export async function measurePaced(context: BenchContext, transcript: string): Promise<PacedResult> {
  const { server, settings, signal, cpuMs, problems } = context;
  const cwd = Deno.cwd();
  const prompt = `paced ${settings.pacedPauseMs} ${transcript}`;
  const before = cpuMs(server.child.pid);
  const reports = await Promise.all(
    Array.from(
      { length: settings.pacedStreams },
      () => readChatStream(server, prompt, { expectedLines: settings.pacedLines, cwd, signal }),
    ),
  );
  const cpu = cpuMs(server.child.pid) - before;
  const checked = checkStreams(reports);
  problems.push(...checked.problems.slice(0, 5));
  const events = messagesOf(reports);
  return {
    events,
    serverCpuUsPerEvent: cpu * 1000 / events,
    lost: checked.lost,
    reordered: checked.reordered,
    problems: checked.problems.length,
  };
}
