import assert from "node:assert/strict";
import type { Chat, ChatLimits } from "../../application/chat.ts";
import type { ChatErrorData } from "../../domain/chat_event.ts";
import { ChatFeed } from "../../application/chat_feed.ts";
import { createStartChat } from "../../application/start_chat.ts";
import { collectEvents as collect, messageLines as lines, settle } from "../support/chat_events.ts";
import { FakeClock } from "../support/fake_clock.ts";
import type { FakeRun } from "../support/fakes.ts";
import { lineEncoding } from "../support/line_encoding.ts";
import { fakeStartChatDeps } from "../support/start_chat_deps.ts";

function setup(limits: Partial<ChatLimits> = {}) {
  const clock = new FakeClock();
  const deps = fakeStartChatDeps({
    clock,
    limits: { maxLineBytes: 1 << 20, maxRunMs: 0, idleMs: 0, inactiveMs: 0, ...limits },
  });
  return { ...deps, clock, startChat: createStartChat(deps) };
}

/** Reads `chat` while the clock moves to just before `limitMs` (no stop yet), then to it; the error event. */
async function errorAtLimit(
  chat: Chat,
  run: FakeRun,
  clock: FakeClock,
  limitMs: number,
): Promise<ChatErrorData> {
  const collecting = collect(chat.events);
  await settle();
  clock.advance(limitMs - 1);
  assert.equal(run.stops, 0);
  clock.advance(1);
  const error = (await collecting).find((event) => event.type === "error");
  assert.ok(error?.type === "error");
  return error.data;
}

Deno.test("stop() interrupts the CLI and the stream carries what it prints while stopping", async () => {
  const { startChat, runner } = setup();
  const chat = await startChat({ prompt: "x", cwd: "/work" });
  runner.runs[0].write("partial\n");
  chat.stop("cancelled");
  assert.equal(chat.status, "stopping");
  const events = await collect(chat.events);
  assert.deepEqual(lines(events), ["partial", '{"type":"result","subtype":"error_during_execution"}']);
  const done = events.at(-1)!;
  assert.ok(done.type === "done" && done.data.cancelled && done.data.stop_reason === "cancelled");
  assert.equal(runner.runs[0].stops, 1);
});

Deno.test("a chat whose last watcher leaves stops its CLI, drains it and still finishes", async () => {
  const { startChat, runner, processes, metrics, clock } = setup();
  const chat = await startChat({ prompt: "x", cwd: "/work" });
  const run = runner.runs[0];
  // The CLI keeps printing after the client left: nobody reads, but the pipe must still be drained.
  run.onStop = (fake) => {
    for (let i = 0; i < 5; i++) fake.write(`late ${i}\n`);
    fake.end();
  };
  const feed = new ChatFeed(chat, { replayBytes: 1 << 20, detachGraceMs: 0, clock, encode: lineEncoding });
  const watcher = feed.watch();
  run.write("one\n");
  await watcher.next();
  watcher.close();
  await chat.finished;
  assert.equal(run.stops, 1);
  assert.equal(processes.list().length, 0);
  assert.equal(metrics.finished.disconnected, 1);
});

Deno.test("a chat reads its CLI's stdout only as fast as its consumer pulls", async () => {
  const { startChat, runner } = setup();
  const chat = await startChat({ prompt: "x", cwd: "/work" });
  const run = runner.runs[0];
  for (let i = 0; i < 3; i++) run.write(`line ${i}\n`);
  assert.deepEqual(lines((await chat.next())!), ["line 0"]);
  await settle();
  assert.equal(run.reads, 1);
  assert.deepEqual(lines((await chat.next())!), ["line 1"]);
  assert.equal(run.reads, 2);
  run.end();
  while (await chat.next() !== null) { /* to the end */ }
});

Deno.test("MAX_RUN_S stops a chat that runs too long, and its error event names the limit", async () => {
  const { startChat, runner, metrics, clock } = setup({ maxRunMs: 20_000 });
  const chat = await startChat({ prompt: "x", cwd: "/work" });
  runner.runs[0].write("working\n");
  const error = await errorAtLimit(chat, runner.runs[0], clock, 20_000);
  assert.equal(error.reason, "max_run");
  assert.match(error.message, /MAX_RUN_S \(20 s\)/);
  assert.equal(metrics.finished.timeout, 1);
});

Deno.test("IDLE_TIMEOUT_S stops a CLI that prints nothing, but a slow reader is not idleness", async () => {
  const { startChat, runner, clock } = setup({ idleMs: 40_000 });
  const slowReader = await startChat({ prompt: "x", cwd: "/work" });
  const run = runner.runs[0];
  for (let i = 0; i < 3; i++) run.write(`line ${i}\n`);
  const reader = slowReader.events.getReader();
  await reader.read();
  // Nobody reads for longer than the idle limit while output waits: no stop.
  clock.advance(120_000);
  await settle();
  assert.equal(run.stops, 0);
  run.end();
  while (!(await reader.read()).done) { /* drain */ }

  const silent = await startChat({ prompt: "y", cwd: "/work" });
  const error = await errorAtLimit(silent, runner.runs[1], clock, 40_000);
  assert.equal(error.reason, "idle");
  assert.match(error.message, /IDLE_TIMEOUT_S \(40 s\)/);
});

Deno.test("a chat learns its session and its cost whatever the order of the lines' keys", async () => {
  const { startChat, runner, metrics } = setup();
  const chat = await startChat({ prompt: "x", cwd: "/work" });
  const run = runner.runs[0];
  run.write('{"cwd":"/work","session_id":"s-late-type","subtype":"init","type":"system"}\n');
  run.write(
    '{"duration_api_ms":12,"total_cost_usd":0.25,"is_error":false,"type":"result","subtype":"success"}\n',
  );
  run.end();
  const events = await collect(chat.events);
  const done = events.at(-1)!;
  assert.ok(done.type === "done");
  assert.equal(done.data.session_id, "s-late-type");
  assert.equal(metrics.costUsd, 0.25);
  assert.equal(metrics.lines, 2);
});

Deno.test("the done event's duration is measured on the injected clock", async () => {
  const { startChat, runner, clock } = setup();
  const chat = await startChat({ prompt: "x", cwd: "/work" });
  clock.advance(1_500);
  runner.runs[0].end();
  const done = (await collect(chat.events)).at(-1)!;
  assert.ok(done.type === "done");
  assert.equal(done.data.duration_ms, 1_500);
});
