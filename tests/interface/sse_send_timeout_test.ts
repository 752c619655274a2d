import assert from "node:assert/strict";
import type { LogRead } from "../../application/event_log.ts";
import { type NumberedEventSource, SendTimeoutError, sseBody } from "../../interface/sse.ts";
import { settle } from "../support/chat_events.ts";
import { FakeClock } from "../support/fake_clock.ts";

const batch = (text: string): LogRead => ({
  gapFrom: null,
  chunks: [new TextEncoder().encode(text)],
  lastId: 1,
});

/** A source that always has one more event ready, and a body over it with a 10 s send timeout. */
function setup(options: { ready?: boolean } = {}) {
  const clock = new FakeClock();
  const counts = { closes: 0, timeouts: 0, gone: 0 };
  const source: NumberedEventSource = {
    next: () => options.ready === false ? new Promise(() => {}) : Promise.resolve(batch("data: x\n\n")),
    close: () => counts.closes++,
  };
  const body = sseBody(source, {
    keepaliveMs: 0,
    clock,
    sendTimeoutMs: 10_000,
    onSendTimeout: () => counts.timeouts++,
    onClientGone: () => counts.gone++,
  });
  return { clock, counts, reader: body.getReader() };
}

Deno.test("sseBody() cuts off a client that takes nothing for the send timeout while an event waits", async () => {
  const { clock, counts, reader } = setup();
  await reader.read();
  await settle();
  // The body has written the next event; the client does not take it.
  clock.advance(9_999);
  assert.deepEqual(counts, { closes: 0, timeouts: 0, gone: 0 });
  clock.advance(1);
  assert.deepEqual(counts, { closes: 1, timeouts: 1, gone: 0 });
  await assert.rejects(
    (async () => {
      for (;;) if ((await reader.read()).done) return;
    })(),
    SendTimeoutError,
  );
  assert.equal(clock.pending, 0, "no timer left");
});

Deno.test("sseBody() keeps a client that takes each event, however long it takes in all", async () => {
  const { clock, counts, reader } = setup();
  for (let i = 0; i < 20; i++) {
    await reader.read();
    await settle();
    clock.advance(9_000);
  }
  assert.deepEqual(counts, { closes: 0, timeouts: 0, gone: 0 });
  await reader.cancel();
  assert.deepEqual(counts, { closes: 1, timeouts: 0, gone: 1 });
  assert.equal(clock.pending, 0, "no timer left");
});

Deno.test("sseBody() never times out a client that waits for a chat with nothing to say", async () => {
  const { clock, counts, reader } = setup({ ready: false });
  const pending = reader.read();
  await settle();
  clock.advance(60_000);
  assert.deepEqual(counts, { closes: 0, timeouts: 0, gone: 0 });
  await reader.cancel();
  await pending;
});
