/**
 * A chat stream read to its end, parsed and checked for its frame: messages, maybe an error, then `done`.
 *
 * @module
 */

import assert from "node:assert/strict";
import { parseSse, type SseEvent } from "../../testkit/sse_client.ts";
import type { Json } from "./chat_lines.ts";

/** A chat read to its end. */
export interface ChatOutcome {
  /** The `X-Process-ID` header. */
  processId: string;
  /** The whole SSE body as received. */
  raw: string;
  /** Every SSE event, in order. */
  events: SseEvent[];
  /** The `data` of every `message` event, parsed. */
  lines: Json[];
  /** The CLI's `system/init` line (fails the test when missing). */
  init: Json;
  /** The CLI's `result` line, if it printed one. */
  result: Json | undefined;
  /** The `error` event's data, if any. */
  error: Json | undefined;
  /** The `done` event's data (fails the test when missing or not last). */
  done: Json;
}

/**
 * Parses a whole chat stream and checks its frame.
 * @param processId the chat's `X-Process-ID`
 * @param raw the SSE body
 * @throws {assert.AssertionError} when `done` is not last, something else follows the messages, or no init
 */
export function parseChatOutcome(processId: string, raw: string): ChatOutcome {
  const events = parseSse(raw);
  const last = events.at(-1);
  assert.equal(last?.event, "done", `the stream must end with done:\n${raw.slice(-3000)}`);
  const ends = events.filter((event) => event.event !== "message");
  assert.ok(ends.length <= 2, `only error and done may follow the messages:\n${raw.slice(-3000)}`);
  assert.ok(
    events.slice(0, events.length - ends.length).every((event) => event.event === "message"),
    "error/done come after every message",
  );
  const lines = events.filter((event) => event.event === "message").map((event) =>
    JSON.parse(event.data) as Json
  );
  const init = lines.find((line) => line.type === "system" && line.subtype === "init");
  assert.ok(init, `no init line in:\n${raw.slice(0, 3000)}`);
  const error = events.find((event) => event.event === "error");
  return {
    processId,
    raw,
    events,
    lines,
    init,
    result: lines.findLast((line) => line.type === "result"),
    error: error ? JSON.parse(error.data) : undefined,
    done: JSON.parse(last.data),
  };
}
