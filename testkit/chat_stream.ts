/**
 * A streaming client of `POST /chat` that checks every event it receives, cheaply: it scans the bytes for
 * event boundaries and sequence numbers instead of parsing each event, so one client can keep up with the
 * server in the bench.
 *
 * @module
 */

import { SERVER_AUTH } from "./server_process.ts";

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
const DONE = "event: done\ndata: ";
const SEQ = '"seq":';
const ID = "id: ";

/** Checks events one by one into `report`: sequence numbers in order, one `done` with exit code 0. */
function eventChecker(report: StreamReport) {
  let next = 0;
  let done = false;
  return {
    /** Checks the event `buffer[from, end)`. */
    check(buffer: string, from: number, end: number): void {
      // Every chat event starts with its `id:` line.
      const start = buffer.startsWith(ID, from) ? buffer.indexOf("\n", from) + 1 : from;
      if (buffer.startsWith(MESSAGE, start)) {
        report.messages++;
        const at = buffer.lastIndexOf(SEQ, end);
        const seq = at < start ? NaN : parseInt(buffer.slice(at + SEQ.length, Math.min(end, at + 20)), 10);
        if (seq !== next) report.reordered++;
        next = (Number.isNaN(seq) ? next : seq) + 1;
      } else if (buffer.startsWith(DONE, start)) {
        done = true;
        const data = JSON.parse(buffer.slice(start + DONE.length, end));
        if (data.exit_code !== 0) report.problems.push(`done with exit_code ${data.exit_code}`);
      } else if (buffer.startsWith("event: error", start)) {
        report.problems.push(buffer.slice(start, Math.min(end, start + 300)));
      }
    },
    /** Whether a `done` event came. */
    get done(): boolean {
      return done;
    },
  };
}

async function readEvents(
  body: ReadableStream<Uint8Array>,
  check: (buffer: string, start: number, end: number) => void,
  onFirstMessage: () => void,
): Promise<string> {
  const decoder = new TextDecoder();
  let buffer = "";
  let seenMessage = false;
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    if (!seenMessage && buffer.includes(MESSAGE)) {
      seenMessage = true;
      onFirstMessage();
    }
    let start = 0;
    for (;;) {
      const end = buffer.indexOf("\n\n", start);
      if (end === -1) break;
      check(buffer, start, end);
      start = end + 2;
    }
    if (start > 0) buffer = buffer.slice(start);
  }
  return buffer;
}

/**
 * Runs one chat and reads its SSE stream to the end, checking that the messages carry sequence numbers 0, 1,
 * 2, … `expectedLines - 1` in order, then one `done` with exit code 0.
 * @param server the gateway (its base URL)
 * @param prompt the prompt, e.g. `replay <transcript>` for the fake CLI
 * @param options expected line count, working directory and an abort signal bounding the run
 */
export async function readChatStream(
  server: { url: string },
  prompt: string,
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
  const checker = eventChecker(report);
  const startedAt = performance.now();
  try {
    const response = await fetch(`${server.url}/chat`, {
      method: "POST",
      headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
      body: JSON.stringify({ prompt, cwd: options.cwd }),
      signal: options.signal,
    });
    if (response.status !== 200 || response.body === null) {
      report.problems.push(`HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`);
      return report;
    }
    const rest = await readEvents(response.body, checker.check, () => {
      report.ttfeMs = performance.now() - startedAt;
    });
    if (rest.length > 0) report.problems.push(`stream ended inside an event: ${rest.slice(0, 100)}`);
  } catch (error) {
    report.problems.push(`stream failed: ${error instanceof Error ? error.message : String(error)}`);
  }
  report.totalMs = performance.now() - startedAt;
  report.lost = Math.max(0, options.expectedLines - report.messages);
  if (!checker.done) report.problems.push("no done event");
  return report;
}
