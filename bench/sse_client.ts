/** A streaming client of `POST /chat` that checks every event it receives. */

import type { GatewayProcess } from "./gateway_process.ts";

/** What one chat stream delivered and how fast. */
export interface StreamReport {
  /** POST sent → the first `event: message` bytes received, ms. */
  ttfeMs: number;
  /** POST sent → the stream ended, ms. */
  totalMs: number;
  /** `message` events received. */
  messages: number;
  /** Lines missing (fewer messages than the transcript has). */
  lost: number;
  /** Messages whose sequence number was not the next expected one. */
  reordered: number;
  /** Anything else wrong: HTTP status, `error` event, no `done`, non-zero exit. */
  problems: string[];
}

const MESSAGE = "event: message\ndata: ";
const SEQ = '"seq":';

/**
 * Runs one chat whose prompt is a transcript path and reads its SSE stream to the end, checking that the
 * messages carry sequence numbers 0, 1, 2, … `expectedLines - 1` in order, then one `done` with exit code 0.
 * @param gateway the server
 * @param transcript the transcript the fake CLI replays
 * @param options expected line count, working directory and an abort signal bounding the run
 */
export async function readChatStream(
  gateway: GatewayProcess,
  transcript: string,
  options: { expectedLines: number; cwd: string; signal: AbortSignal },
): Promise<StreamReport> {
  const report: StreamReport = {
    ttfeMs: NaN,
    totalMs: NaN,
    messages: 0,
    lost: 0,
    reordered: 0,
    problems: [],
  };
  const startedAt = performance.now();
  let next = 0;
  let done = false;
  const handle = (buffer: string, start: number, end: number) => {
    if (buffer.startsWith(MESSAGE, start)) {
      report.messages++;
      const at = buffer.lastIndexOf(SEQ, end);
      const seq = at < start ? NaN : parseInt(buffer.slice(at + SEQ.length, Math.min(end, at + 20)), 10);
      if (seq !== next) report.reordered++;
      next = (Number.isNaN(seq) ? next : seq) + 1;
    } else if (buffer.startsWith("event: done\ndata: ", start)) {
      done = true;
      const data = JSON.parse(buffer.slice(start + 18, end));
      if (data.exit_code !== 0) report.problems.push(`done with exit_code ${data.exit_code}`);
    } else if (buffer.startsWith("event: error", start)) {
      report.problems.push(buffer.slice(start, Math.min(end, start + 300)));
    }
  };
  try {
    const response = await fetch(`${gateway.url}/chat`, {
      method: "POST",
      headers: { "Authorization": gateway.authorization, "Content-Type": "application/json" },
      body: JSON.stringify({ prompt: transcript, cwd: options.cwd }),
      signal: options.signal,
    });
    if (response.status !== 200 || response.body === null) {
      report.problems.push(`HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
      return report;
    }
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true });
      if (Number.isNaN(report.ttfeMs) && buffer.includes(MESSAGE)) {
        report.ttfeMs = performance.now() - startedAt;
      }
      let start = 0;
      for (;;) {
        const end = buffer.indexOf("\n\n", start);
        if (end === -1) break;
        handle(buffer, start, end);
        start = end + 2;
      }
      if (start > 0) buffer = buffer.slice(start);
    }
    if (buffer.length > 0) report.problems.push(`stream ended inside an event: ${buffer.slice(0, 100)}`);
  } catch (error) {
    report.problems.push(`stream failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  report.totalMs = performance.now() - startedAt;
  report.lost = Math.max(0, options.expectedLines - report.messages);
  if (!done) report.problems.push("no done event");
  return report;
}
