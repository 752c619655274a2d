import assert from "node:assert/strict";
import type { ChatEvent } from "../../domain/chat_event.ts";
import { type NumberedEventSource, sseBody } from "../../interface/sse.ts";
import { encodeEvents, encodeGap } from "../../interface/sse_frame.ts";
import {
  joinBytes as concat,
  messageEvent as message,
  numbered,
  SAMPLE_DONE_DATA as DONE_DATA,
  settle,
} from "../support/chat_events.ts";
import { FakeClock } from "../support/fake_clock.ts";

const decoder = new TextDecoder();
const KEEPALIVE = ": keepalive\n\n";

/**
 * A source of event batches the test feeds by hand (numbered 1, 2, 3… as a chat's watcher numbers them),
 * recording how often it was closed.
 */
function controlledSource() {
  let controller!: ReadableStreamDefaultController<ChatEvent[]>;
  const state = { closes: 0 };
  const readable = new ReadableStream<ChatEvent[]>({
    start(c) {
      controller = c;
    },
  }, { highWaterMark: 0 });
  const reader = readable.getReader();
  let nextId = 1;
  const stream: NumberedEventSource = {
    next: async () => {
      const { value, done } = await reader.read();
      if (done) return null;
      nextId += value.length;
      return {
        gapFrom: null,
        chunks: [encodeEvents(numbered(value, nextId - value.length))],
        lastId: nextId - 1,
      };
    },
    close: () => {
      state.closes++;
      reader.cancel().catch(() => {});
    },
  };
  return { stream, controller, state };
}

/**
 * A source and its SSE body on a fake clock; `gone` counts the onClientGone calls. `expected` frames batches
 * with the ids the source gives them, when called in the order the batches are fed.
 */
function setup(keepaliveMs = 0) {
  const clock = new FakeClock();
  const source = controlledSource();
  const counts = { gone: 0 };
  const body = sseBody(source.stream, { keepaliveMs, clock, onClientGone: () => counts.gone++ });
  let nextId = 1;
  const expected = (batch: ChatEvent[]) => {
    nextId += batch.length;
    return encodeEvents(numbered(batch, nextId - batch.length));
  };
  return { ...source, clock, counts, body, expected };
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of body) parts.push(part);
  return concat(parts);
}

Deno.test("sseBody() sends each batch as its encoded events and closes at the end", async () => {
  const { controller, body, counts, expected } = setup();
  const batches: ChatEvent[][] = [[message("a"), message("b")], [message("c")], [{
    type: "done",
    data: DONE_DATA,
  }]];
  batches.forEach((batch) => controller.enqueue(batch));
  controller.close();
  assert.deepEqual(await readAll(body), concat(batches.map((batch) => expected(batch))));
  assert.equal(counts.gone, 0);
});

Deno.test("sseBody() writes one chunk per batch", async () => {
  const { controller, body, expected } = setup();
  const reader = body.getReader();
  controller.enqueue([message("a"), message("b")]);
  const first = await reader.read();
  assert.deepEqual(first.value, expected([message("a"), message("b")]));
  controller.close();
  assert.equal((await reader.read()).done, true);
});

Deno.test("sseBody() sends a keepalive comment while the source is silent", async () => {
  const { controller, body, clock, expected } = setup(20_000);
  const reader = body.getReader();
  const first = reader.read();
  let answered = false;
  first.then(() => answered = true);
  await settle();
  clock.advance(19_999);
  await settle();
  assert.equal(answered, false);
  clock.advance(1);
  assert.equal(decoder.decode((await first).value), KEEPALIVE);
  controller.enqueue([message("after the silence")]);
  assert.deepEqual((await reader.read()).value, expected([message("after the silence")]));
  controller.close();
  assert.equal((await reader.read()).done, true);
});

Deno.test("sseBody() loses no event that arrives after a keepalive", async () => {
  const { controller, body, clock, expected } = setup(5_000);
  const reader = body.getReader();
  for (const text of ["m0", "m1", "m2"]) {
    const keepalive = reader.read();
    await settle();
    clock.advance(5_000);
    assert.equal(decoder.decode((await keepalive).value), KEEPALIVE);
    controller.enqueue([message(text)]);
    assert.deepEqual((await reader.read()).value, expected([message(text)]));
  }
  controller.close();
  assert.equal((await reader.read()).done, true);
});

Deno.test("sseBody() counts silence from the last write, re-arming one timer", async () => {
  const { controller, body, clock, expected } = setup(20_000);
  const reader = body.getReader();
  const first = reader.read();
  await settle();
  clock.advance(15_000);
  controller.enqueue([message("at 15 s")]);
  assert.deepEqual((await first).value, expected([message("at 15 s")]));
  const second = reader.read();
  await settle();
  // At 20 s the stream has been silent for 5 s only: no keepalive yet, one timer re-armed.
  clock.advance(5_000);
  assert.equal(clock.pending, 1);
  clock.advance(14_999);
  controller.enqueue([message("at 34.999 s")]);
  assert.deepEqual((await second).value, expected([message("at 34.999 s")]));
  controller.close();
  while (!(await reader.read()).done) { /* to the end */ }
});

Deno.test("sseBody() sends no keepalive when keepaliveMs is 0", async () => {
  const { controller, body, clock, expected } = setup(0);
  const reader = body.getReader();
  const read = reader.read();
  await settle();
  assert.equal(clock.pending, 0);
  clock.advance(600_000);
  controller.enqueue([message("first")]);
  assert.deepEqual((await read).value, expected([message("first")]));
  controller.close();
  assert.equal((await reader.read()).done, true);
});

Deno.test("sseBody() tells onClientGone and closes the source when the client leaves early", async () => {
  const { controller, body, counts, state } = setup();
  const reader = body.getReader();
  controller.enqueue([message("a")]);
  await reader.read();
  await reader.cancel();
  assert.equal(counts.gone, 1);
  assert.equal(state.closes, 1);
});

Deno.test("sseBody() handles a client leaving while a read waits on the source", async () => {
  const { body, counts, state } = setup(20_000);
  const reader = body.getReader();
  const read = reader.read();
  await reader.cancel();
  assert.equal((await read).done, true);
  assert.equal(counts.gone, 1);
  assert.equal(state.closes, 1);
});

Deno.test("sseBody() closes the source once at a normal end, without calling onClientGone", async () => {
  const { controller, body, counts, state } = setup();
  controller.enqueue([{ type: "done", data: DONE_DATA }]);
  controller.close();
  const reader = body.getReader();
  while (!(await reader.read()).done);
  await reader.cancel();
  assert.equal(counts.gone, 0);
  assert.equal(state.closes, 1);
});

Deno.test("sseBody() never changes a chunk already handed to the client", async () => {
  const { controller, body, expected } = setup();
  const batches = Array.from(
    { length: 2_000 },
    (_, i) => [message(`{"seq":${i},"pad":"${"x".repeat(i % 50)}"}`)],
  );
  batches.forEach((batch) => controller.enqueue(batch));
  controller.close();
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  assert.equal(chunks.length, batches.length);
  chunks.forEach((chunk, i) => assert.deepEqual(chunk, expected(batches[i]), `chunk ${i}`));
});

Deno.test("sseBody() errors when the source errors", async () => {
  const { controller, body } = setup();
  const reader = body.getReader();
  controller.error(new Error("source broke"));
  await assert.rejects(reader.read(), /source broke/);
});

Deno.test("sseBody() leaves no timer behind after a normal end or a cancel", async () => {
  const ended = setup(5_000);
  assert.equal(ended.clock.pending, 1);
  ended.controller.close();
  await readAll(ended.body);
  assert.equal(ended.clock.pending, 0);
  const cancelled = setup(5_000);
  await cancelled.body.cancel();
  assert.equal(cancelled.clock.pending, 0);
  cancelled.clock.advance(60_000);
  assert.equal(cancelled.clock.pending, 0);
});

Deno.test("sseBody() stops its keepalive timer when the source errors", async () => {
  const { controller, body, clock } = setup(5_000);
  const reader = body.getReader();
  controller.error(new Error("source broke"));
  await assert.rejects(reader.read(), /source broke/);
  assert.equal(clock.pending, 0);
  clock.advance(60_000);
  assert.equal(clock.pending, 0);
});

Deno.test("sseBody() sends a gap event before the events that follow it", async () => {
  const clock = new FakeClock();
  let reads = 0;
  const body = sseBody({
    next: () =>
      Promise.resolve(
        reads++ === 0
          ? { gapFrom: 7, chunks: [encodeEvents(numbered([message("seven")], 7))], lastId: 7 }
          : null,
      ),
    close: () => {},
  }, { keepaliveMs: 0, clock, onClientGone: () => {} });
  assert.equal(
    decoder.decode(await readAll(body)),
    decoder.decode(concat([encodeGap(7), encodeEvents(numbered([message("seven")], 7))])),
  );
});
