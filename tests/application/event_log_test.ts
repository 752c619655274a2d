import assert from "node:assert/strict";
import { EventLog } from "../../application/event_log.ts";
import type { ChatEvent } from "../../domain/chat_event.ts";
import { decodeLines, lineEncoding } from "../support/line_encoding.ts";

const encoder = new TextEncoder();
const message = (text: string): ChatEvent => ({ type: "message", line: encoder.encode(text) });
const texts = (log: EventLog, afterId: number, max?: number) => decodeLines(log.read(afterId, max).chunks);
const ids = (log: EventLog, afterId: number, max?: number) =>
  texts(log, afterId, max).map((text) => Number(text.split(":")[0]));
const newLog = (maxBytes: number) => new EventLog(maxBytes, lineEncoding);

Deno.test("EventLog numbers events from 1 and reads after any id", () => {
  const log = newLog(1 << 20);
  log.append([message("a"), message("b")]);
  log.append([message("c")]);
  assert.equal(log.lastId, 3);
  assert.deepEqual(texts(log, 0), ["1:a", "2:b", "3:c"]);
  assert.deepEqual(texts(log, 2), ["3:c"]);
  assert.deepEqual(texts(log, 3), []);
  assert.equal(log.read(0).gapFrom, null);
  assert.deepEqual(ids(log, 0, 2), [1, 2]);
  assert.equal(log.read(0, 2).lastId, 2);
});

Deno.test("EventLog forgets the oldest events beyond its byte bound and reports the gap", () => {
  // Each single-event batch is counted as its bytes ("9:" + 100 + "\n"), an 8-byte offset and a 256-byte segment.
  const log = newLog(2 * (103 + 8 + 256) + (104 + 8 + 256));
  for (let i = 1; i <= 10; i++) log.append([message(String(i).padEnd(100, "."))]);
  assert.equal(log.firstId, 8);
  assert.ok(log.retainedBytes <= log.maxBytes);
  const read = log.read(2);
  assert.equal(read.gapFrom, 8);
  assert.deepEqual(decodeLines(read.chunks).map((text) => Number(text.split(":")[0])), [8, 9, 10]);
  assert.equal(log.read(7).gapFrom, null);
});

Deno.test("EventLog always keeps the newest batch, even one larger than its bound", () => {
  const log = newLog(10);
  log.append([message("x".repeat(1000))]);
  log.append([{ type: "done", data: doneData() }]);
  assert.equal(log.firstId, 2);
  assert.deepEqual(texts(log, 0), ["2:done"]);
});

Deno.test("EventLog stays bounded over 100,000 events", () => {
  const log = newLog(64 * 1024);
  for (let i = 0; i < 100_000; i++) log.append([message(`line ${i}`)]);
  assert.ok(log.retainedBytes <= 64 * 1024);
  assert.equal(log.lastId, 100_000);
  const read = log.read(99_990);
  assert.deepEqual(decodeLines(read.chunks).map((text) => Number(text.split(":")[0])), [
    99_991,
    99_992,
    99_993,
    99_994,
    99_995,
    99_996,
    99_997,
    99_998,
    99_999,
    100_000,
  ]);
});

function doneData() {
  return {
    process_id: "p1",
    exit_code: 0,
    signal: null,
    cancelled: false,
    stop_reason: null,
    session_id: null,
    duration_ms: 1,
  };
}

Deno.test("EventLog forgets single events of a batch, and reads on from inside one", () => {
  // Both batches are counted as 2 × 256 + 7 × (4 + 8) = 596 bytes ("1:a\n" is 4): two events must go.
  const log = newLog(575);
  log.append(["a", "b", "c", "d", "e"].map(message));
  log.append(["f", "g"].map(message));
  assert.equal(log.firstId, 3, "two events of the first batch make room for the second");
  assert.deepEqual(texts(log, 3), ["4:d", "5:e", "6:f", "7:g"]);
  assert.deepEqual(ids(log, 0, 2), [3, 4]);
  assert.equal(log.read(0).gapFrom, 3);
});

Deno.test("EventLog copies the lines it is given, so their producer may reuse the bytes", () => {
  const log = newLog(1 << 20);
  const scratch = encoder.encode("first");
  log.append([{ type: "message", line: scratch }]);
  scratch.set(encoder.encode("XXXXX"));
  assert.deepEqual(texts(log, 0), ["1:first"]);
});

Deno.test("EventLog refuses an append once closed", () => {
  const log = newLog(1 << 20);
  log.append([message("a")]);
  log.close();
  assert.equal(log.closed, true);
  assert.throws(() => log.append([message("late")]), /closed/);
  assert.deepEqual(texts(log, 0), ["1:a"]);
});
