import assert from "node:assert/strict";
import { concatBytes } from "../../application/concat_bytes.ts";
import type { ChatDoneData, ChatErrorData, ChatEvent, ChatEventSource } from "../../domain/chat_event.ts";
import { encodeEvents, sseBody } from "../../interface/sse.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string) => encoder.encode(text);
const message = (line: string | Uint8Array): ChatEvent => ({
  type: "message",
  line: typeof line === "string" ? bytes(line) : line,
});

function concat(parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts).slice();
}

const ERROR_DATA: ChatErrorData = {
  process_id: "p1",
  exit_code: 1,
  signal: null,
  stderr: 'fatal: "bad"\nsecond line\r\n',
  message: "the CLI exited with code 1",
};

const DONE_DATA: ChatDoneData = {
  process_id: "p1",
  exit_code: 0,
  signal: null,
  cancelled: false,
  stop_reason: null,
  session_id: "s-1",
  duration_ms: 1234,
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

/** A source of event batches the test feeds by hand, recording whether it was cancelled. */
function controlledSource() {
  let controller!: ReadableStreamDefaultController<ChatEvent[]>;
  const state = { cancelled: false };
  const readable = new ReadableStream<ChatEvent[]>({
    start(c) {
      controller = c;
    },
    cancel() {
      state.cancelled = true;
    },
  }, { highWaterMark: 0 });
  const reader = readable.getReader();
  const stream: ChatEventSource = {
    next: async () => {
      const { value, done } = await reader.read();
      return done ? null : value;
    },
    cancel: () => {
      reader.cancel().catch(() => {});
    },
  };
  return { stream, controller, state };
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return concat(parts);
}

Deno.test("sseBody() sends each batch as its encoded events and closes at the end", async () => {
  const { stream, controller } = controlledSource();
  let gone = 0;
  const body = sseBody(stream, { keepaliveMs: 0, onClientGone: () => gone++ });
  const batches: ChatEvent[][] = [[message("a"), message("b")], [message("c")], [{
    type: "done",
    data: DONE_DATA,
  }]];
  batches.forEach((batch) => controller.enqueue(batch));
  controller.close();
  assert.deepEqual(await readAll(body), concat(batches.map((batch) => encodeEvents(batch))));
  assert.equal(gone, 0);
});

Deno.test("sseBody() writes one chunk per batch", async () => {
  const { stream, controller } = controlledSource();
  const body = sseBody(stream, { keepaliveMs: 0, onClientGone: () => {} });
  const reader = body.getReader();
  controller.enqueue([message("a"), message("b")]);
  const first = await reader.read();
  assert.deepEqual(first.value, encodeEvents([message("a"), message("b")]));
  controller.close();
  assert.equal((await reader.read()).done, true);
});

Deno.test("sseBody() sends a keepalive comment while the source is silent", async () => {
  const { stream, controller } = controlledSource();
  const body = sseBody(stream, { keepaliveMs: 20, onClientGone: () => {} });
  const reader = body.getReader();
  const first = await reader.read();
  assert.equal(decoder.decode(first.value), ": keepalive\n\n");
  controller.enqueue([message("after the silence")]);
  let next = await reader.read();
  // More keepalives may come first on a slow machine; the message must follow them.
  while (decoder.decode(next.value) === ": keepalive\n\n") next = await reader.read();
  assert.deepEqual(next.value, encodeEvents([message("after the silence")]));
  controller.close();
  let end = await reader.read();
  while (!end.done) end = await reader.read();
  assert.equal(end.done, true);
});

Deno.test("sseBody() loses no event that arrives after a keepalive", async () => {
  const { stream, controller } = controlledSource();
  const body = sseBody(stream, { keepaliveMs: 5, onClientGone: () => {} });
  const reader = body.getReader();
  for (const text of ["m0", "m1", "m2"]) {
    assert.equal(decoder.decode((await reader.read()).value), ": keepalive\n\n");
    controller.enqueue([message(text)]);
    let chunk = await reader.read();
    while (decoder.decode(chunk.value) === ": keepalive\n\n") chunk = await reader.read();
    assert.deepEqual(chunk.value, encodeEvents([message(text)]));
  }
  controller.close();
  let end = await reader.read();
  while (!end.done) end = await reader.read();
});

Deno.test("sseBody() sends no keepalive when keepaliveMs is 0", async () => {
  const { stream, controller } = controlledSource();
  const body = sseBody(stream, { keepaliveMs: 0, onClientGone: () => {} });
  const reader = body.getReader();
  const read = reader.read();
  await new Promise((resolve) => setTimeout(resolve, 30));
  controller.enqueue([message("first")]);
  assert.deepEqual((await read).value, encodeEvents([message("first")]));
  controller.close();
  assert.equal((await reader.read()).done, true);
});

Deno.test("sseBody() tells onClientGone and cancels the source when the client leaves early", async () => {
  const { stream, controller, state } = controlledSource();
  let gone = 0;
  const body = sseBody(stream, { keepaliveMs: 0, onClientGone: () => gone++ });
  const reader = body.getReader();
  controller.enqueue([message("a")]);
  await reader.read();
  await reader.cancel();
  assert.equal(gone, 1);
  assert.equal(state.cancelled, true);
});

Deno.test("sseBody() handles a client leaving while a read waits on the source", async () => {
  const { stream, state } = controlledSource();
  let gone = 0;
  const body = sseBody(stream, { keepaliveMs: 20, onClientGone: () => gone++ });
  const reader = body.getReader();
  const read = reader.read();
  await reader.cancel();
  assert.equal((await read).done, true);
  assert.equal(gone, 1);
  assert.equal(state.cancelled, true);
});

Deno.test("sseBody() does not call onClientGone or cancel the source after a normal end", async () => {
  const { stream, controller, state } = controlledSource();
  let gone = 0;
  const body = sseBody(stream, { keepaliveMs: 0, onClientGone: () => gone++ });
  controller.enqueue([{ type: "done", data: DONE_DATA }]);
  controller.close();
  const reader = body.getReader();
  while (!(await reader.read()).done);
  await reader.cancel();
  assert.equal(gone, 0);
  assert.equal(state.cancelled, false);
});

Deno.test("sseBody() never changes a chunk already handed to the client", async () => {
  const { stream, controller } = controlledSource();
  const body = sseBody(stream, { keepaliveMs: 0, onClientGone: () => {} });
  const batches = Array.from(
    { length: 2_000 },
    (_, i) => [message(`{"seq":${i},"pad":"${"x".repeat(i % 50)}"}`)],
  );
  batches.forEach((batch) => controller.enqueue(batch));
  controller.close();
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  assert.equal(chunks.length, batches.length);
  chunks.forEach((chunk, i) => assert.deepEqual(chunk, encodeEvents(batches[i]), `chunk ${i}`));
});

Deno.test("sseBody() errors when the source errors", async () => {
  const { stream, controller } = controlledSource();
  const body = sseBody(stream, { keepaliveMs: 0, onClientGone: () => {} });
  const reader = body.getReader();
  controller.error(new Error("source broke"));
  await assert.rejects(reader.read(), /source broke/);
});

/**
 * Wraps the global timer functions to see which timers are still pending. Deno's sanitizer no longer
 * reports a timer that keeps re-arming itself, so this is the only way to see one.
 */
function trackTimers() {
  const realSetTimeout = globalThis.setTimeout;
  const realClearTimeout = globalThis.clearTimeout;
  type TimerId = ReturnType<typeof setTimeout>;
  const pending = new Set<TimerId>();
  const trackedSetTimeout = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
    const id: TimerId = realSetTimeout(() => {
      pending.delete(id);
      callback(...args);
    }, ms);
    pending.add(id);
    return id;
  };
  const trackedClearTimeout = (id?: TimerId) => {
    if (id !== undefined) pending.delete(id);
    realClearTimeout(id);
  };
  globalThis.setTimeout = trackedSetTimeout as unknown as typeof setTimeout;
  globalThis.clearTimeout = trackedClearTimeout as unknown as typeof clearTimeout;
  return {
    pending,
    sleep: (ms: number) => new Promise((resolve) => realSetTimeout(resolve, ms)),
    restore() {
      globalThis.setTimeout = realSetTimeout;
      globalThis.clearTimeout = realClearTimeout;
      pending.forEach((id) => realClearTimeout(id));
    },
  };
}

Deno.test("sseBody() leaves no timer behind after a normal end or a cancel", async () => {
  const timers = trackTimers();
  try {
    const ended = controlledSource();
    const endedBody = sseBody(ended.stream, { keepaliveMs: 5, onClientGone: () => {} });
    ended.controller.close();
    await readAll(endedBody);
    const cancelled = controlledSource();
    const cancelledBody = sseBody(cancelled.stream, { keepaliveMs: 5, onClientGone: () => {} });
    await cancelledBody.cancel();
    await timers.sleep(30);
    assert.equal(timers.pending.size, 0);
  } finally {
    timers.restore();
  }
});

Deno.test({
  name: "sseBody() stops its keepalive timer when the source errors",
  async fn() {
    const timers = trackTimers();
    try {
      const { stream, controller } = controlledSource();
      const body = sseBody(stream, { keepaliveMs: 5, onClientGone: () => {} });
      const reader = body.getReader();
      controller.error(new Error("source broke"));
      await assert.rejects(reader.read(), /source broke/);
      await timers.sleep(30);
      assert.equal(timers.pending.size, 0);
    } finally {
      timers.restore();
    }
  },
});
