import assert from "node:assert/strict";
import type { ChatErrorData, ChatEvent } from "../../domain/chat_event.ts";
import { encodeEvents } from "../../interface/sse_frame.ts";
import {
  joinBytes as concat,
  messageEvent as message,
  SAMPLE_DONE_DATA as DONE_DATA,
} from "../support/chat_events.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string) => encoder.encode(text);

const ERROR_DATA: ChatErrorData = {
  process_id: "p1",
  exit_code: 1,
  signal: null,
  stderr: 'fatal: "bad"\nsecond line\r\n',
  message: "the CLI exited with code 1",
};

Deno.test("encodeEvents() frames a message as event: message and its line as data, byte-exact", () => {
  assert.deepEqual(
    encodeEvents([message('{"type":"assistant"}')]),
    bytes('event: message\ndata: {"type":"assistant"}\n\n'),
  );
});

Deno.test("encodeEvents() passes non-ASCII bytes through unchanged", () => {
  const line = '{"text":"café € 🚀 日本語"}';
  assert.deepEqual(encodeEvents([message(line)]), bytes(`event: message\ndata: ${line}\n\n`));
});

Deno.test("encodeEvents() passes invalid UTF-8 bytes through untouched", () => {
  const line = Uint8Array.of(0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x00, 0xe2, 0x82, 0x7d);
  assert.deepEqual(
    encodeEvents([message(line)]),
    concat([bytes("event: message\ndata: "), line, bytes("\n\n")]),
  );
});

Deno.test("encodeEvents() frames an empty line as an empty data field", () => {
  assert.deepEqual(encodeEvents([message("")]), bytes("event: message\ndata: \n\n"));
});

Deno.test("encodeEvents() gives an empty buffer for an empty batch", () => {
  assert.equal(encodeEvents([]).length, 0);
});

Deno.test("encodeEvents() puts several events of a batch into one buffer, in order", () => {
  const events: ChatEvent[] = [message("one"), message("two"), { type: "done", data: DONE_DATA }];
  const out = encodeEvents(events);
  assert.ok(out instanceof Uint8Array);
  assert.deepEqual(
    out,
    bytes(
      `event: message\ndata: one\n\nevent: message\ndata: two\n\nevent: done\ndata: ${
        JSON.stringify(DONE_DATA)
      }\n\n`,
    ),
  );
  assert.deepEqual(out, concat(events.map((event) => encodeEvents([event]))));
});

Deno.test("encodeEvents() turns a carriage return inside a line into a new data line", () => {
  assert.deepEqual(
    encodeEvents([message("before\rafter")]),
    bytes("event: message\ndata: before\ndata: after\n\n"),
  );
});

Deno.test("encodeEvents() turns every carriage return into a data line, at the ends too", () => {
  assert.deepEqual(
    encodeEvents([message("\ra\r\rb\r")]),
    bytes("event: message\ndata: \ndata: a\ndata: \ndata: b\ndata: \n\n"),
  );
});

Deno.test("encodeEvents() leaves no bare carriage return in the output", () => {
  const out = encodeEvents([message("x\ry\rz"), message("\r")]);
  assert.equal(out.includes(0x0d), false);
});

Deno.test("encodeEvents() frames an error event as JSON data", () => {
  const out = decoder.decode(encodeEvents([{ type: "error", data: ERROR_DATA }]));
  assert.equal(out, `event: error\ndata: ${JSON.stringify(ERROR_DATA)}\n\n`);
  const data = out.slice("event: error\ndata: ".length, -2);
  assert.equal(data.includes("\n"), false);
  assert.equal(data.includes("\r"), false);
  assert.deepEqual(JSON.parse(data), ERROR_DATA);
});

Deno.test("encodeEvents() frames a done event as JSON data", () => {
  const out = decoder.decode(encodeEvents([{ type: "done", data: DONE_DATA }]));
  assert.equal(out, `event: done\ndata: ${JSON.stringify(DONE_DATA)}\n\n`);
  assert.deepEqual(JSON.parse(out.slice("event: done\ndata: ".length, -2)), DONE_DATA);
});

Deno.test("encodeEvents() does not change the lines it is given", () => {
  const line = bytes("a\rb");
  encodeEvents([message(line)]);
  assert.deepEqual(line, bytes("a\rb"));
});
