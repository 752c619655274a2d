import assert from "node:assert/strict";
import type { ChatErrorData, ChatEvent } from "../../domain/chat_event.ts";
import { encodeEvents, encodeGap } from "../../interface/sse_frame.ts";
import {
  joinBytes as concat,
  messageEvent as message,
  numbered,
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
    encodeEvents(numbered([message('{"type":"assistant"}')])),
    bytes('id: 1\nevent: message\ndata: {"type":"assistant"}\n\n'),
  );
});

Deno.test("encodeEvents() passes non-ASCII bytes through unchanged", () => {
  const line = '{"text":"café € 🚀 日本語"}';
  assert.deepEqual(
    encodeEvents(numbered([message(line)])),
    bytes(`id: 1\nevent: message\ndata: ${line}\n\n`),
  );
});

Deno.test("encodeEvents() passes invalid UTF-8 bytes through untouched", () => {
  const line = Uint8Array.of(0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x00, 0xe2, 0x82, 0x7d);
  assert.deepEqual(
    encodeEvents(numbered([message(line)])),
    concat([bytes("id: 1\nevent: message\ndata: "), line, bytes("\n\n")]),
  );
});

Deno.test("encodeEvents() frames an empty line as an empty data field", () => {
  assert.deepEqual(encodeEvents(numbered([message("")])), bytes("id: 1\nevent: message\ndata: \n\n"));
});

Deno.test("encodeEvents() gives an empty buffer for an empty batch", () => {
  assert.equal(encodeEvents(numbered([])).length, 0);
});

Deno.test("encodeEvents() puts several events of a batch into one buffer, in order", () => {
  const events: ChatEvent[] = [message("one"), message("two"), { type: "done", data: DONE_DATA }];
  const out = encodeEvents(numbered(events));
  assert.ok(out instanceof Uint8Array);
  assert.deepEqual(
    out,
    bytes(
      `id: 1\nevent: message\ndata: one\n\nid: 2\nevent: message\ndata: two\n\nid: 3\nevent: done\ndata: ${
        JSON.stringify(DONE_DATA)
      }\n\n`,
    ),
  );
  assert.deepEqual(out, concat(numbered(events).map((event) => encodeEvents([event]))));
});

Deno.test("encodeEvents() turns a carriage return inside a line into a new data line", () => {
  assert.deepEqual(
    encodeEvents(numbered([message("before\rafter")])),
    bytes("id: 1\nevent: message\ndata: before\ndata: after\n\n"),
  );
});

Deno.test("encodeEvents() turns every carriage return into a data line, at the ends too", () => {
  assert.deepEqual(
    encodeEvents(numbered([message("\ra\r\rb\r")])),
    bytes("id: 1\nevent: message\ndata: \ndata: a\ndata: \ndata: b\ndata: \n\n"),
  );
});

Deno.test("encodeEvents() leaves no bare carriage return in the output", () => {
  const out = encodeEvents(numbered([message("x\ry\rz"), message("\r")]));
  assert.equal(out.includes(0x0d), false);
});

Deno.test("encodeEvents() frames an error event as JSON data", () => {
  const out = decoder.decode(encodeEvents(numbered([{ type: "error", data: ERROR_DATA }])));
  assert.equal(out, `id: 1\nevent: error\ndata: ${JSON.stringify(ERROR_DATA)}\n\n`);
  const data = out.slice("id: 1\nevent: error\ndata: ".length, -2);
  assert.equal(data.includes("\n"), false);
  assert.equal(data.includes("\r"), false);
  assert.deepEqual(JSON.parse(data), ERROR_DATA);
});

Deno.test("encodeEvents() frames a done event as JSON data", () => {
  const out = decoder.decode(encodeEvents(numbered([{ type: "done", data: DONE_DATA }])));
  assert.equal(out, `id: 1\nevent: done\ndata: ${JSON.stringify(DONE_DATA)}\n\n`);
  assert.deepEqual(JSON.parse(out.slice("id: 1\nevent: done\ndata: ".length, -2)), DONE_DATA);
});

Deno.test("encodeEvents() does not change the lines it is given", () => {
  const line = bytes("a\rb");
  encodeEvents(numbered([message(line)]));
  assert.deepEqual(line, bytes("a\rb"));
});

Deno.test("encodeEvents() writes each event's id before it, any number of digits", () => {
  const out = decoder.decode(encodeEvents(numbered([message("a"), message("b")], 99)));
  assert.equal(out, "id: 99\nevent: message\ndata: a\n\nid: 100\nevent: message\ndata: b\n\n");
  const big = decoder.decode(encodeEvents(numbered([message("z")], 1_234_567_890)));
  assert.equal(big, "id: 1234567890\nevent: message\ndata: z\n\n");
});

Deno.test("encodeGap() names the first id still retained and has no id of its own", () => {
  assert.equal(decoder.decode(encodeGap(41)), 'event: gap\ndata: {"first_id":41}\n\n');
});
