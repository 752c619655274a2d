import assert from "node:assert/strict";
import type { ChatEvent } from "../../domain/chat_event.ts";
import { ChatSlots } from "../../application/chat_slots.ts";
import { type ChatPolicy, createStartChat, type StartChatDeps } from "../../application/start_chat.ts";
import { CapacityError, ForbiddenError, InvalidFieldError, SessionBusyError } from "../../domain/errors.ts";
import { CliUnavailableError } from "../../domain/errors.ts";
import { FakeCliRunner, FakeDirectories } from "../support/fakes.ts";
import { fakeStartChatDeps } from "../support/start_chat_deps.ts";

const decoder = new TextDecoder();

function setup(overrides: Partial<StartChatDeps> & { policy?: ChatPolicy; maxConcurrent?: number } = {}) {
  let ids = 0;
  const deps = fakeStartChatDeps({
    directories: new FakeDirectories(["/work", "/tmp", "/etc"], ["/work/plugin.zip"], {
      "/work/link": "/etc",
    }),
    slots: new ChatSlots({
      maxConcurrent: overrides.maxConcurrent ?? 4,
      queueMax: 2,
      queueTimeoutMs: 60_000,
    }),
    newId: () => `p${++ids}`,
    ...overrides,
  });
  const { runner, processes, metrics, slots } = deps;
  return { startChat: createStartChat(deps), runner, processes, metrics, slots };
}

async function collect(events: ReadableStream<ChatEvent[]>): Promise<ChatEvent[]> {
  const all: ChatEvent[] = [];
  for await (const batch of events) all.push(...batch);
  return all;
}

function lines(events: ChatEvent[]): string[] {
  return events.flatMap((event) => event.type === "message" ? [decoder.decode(event.line)] : []);
}

Deno.test("startChat() streams each CLI line as one message event, then done", async () => {
  const { startChat, runner, processes, metrics } = setup();
  const chat = await startChat({ prompt: "hi", cwd: "/work" });
  const run = runner.runs[0];
  run.write('{"type":"system","subtype":"init","session_id":"s-1"}\n{"type":"assistant"}\n');
  run.write('{"type":"result","total_cost_usd":0.5}\n');
  run.end({ code: 0 });
  const events = await collect(chat.events);
  assert.deepEqual(lines(events), [
    '{"type":"system","subtype":"init","session_id":"s-1"}',
    '{"type":"assistant"}',
    '{"type":"result","total_cost_usd":0.5}',
  ]);
  const done = events.at(-1)!;
  assert.equal(done.type, "done");
  assert.equal(done.type === "done" && done.data.process_id, "p1");
  assert.equal(done.type === "done" && done.data.session_id, "s-1");
  assert.equal(events.some((event) => event.type === "error"), false);
  await chat.finished;
  assert.equal(processes.list().length, 0);
  assert.equal(metrics.finished.success, 1);
  assert.equal(metrics.costUsd, 0.5);
  assert.equal(metrics.lines, 3);
});

Deno.test("startChat() applies the default permission mode and model only where the request sets none", async () => {
  const { startChat, runner } = setup({ defaults: { permissionMode: "plan", model: "haiku" } });
  await startChat({ prompt: "a", cwd: "/work" });
  await startChat({ prompt: "b", cwd: "/work", permission_mode: "dontAsk", model: "opus" });
  assert.equal(runner.runs[0].request.permission_mode, "plan");
  assert.equal(runner.runs[0].request.model, "haiku");
  assert.equal(runner.runs[1].request.permission_mode, "dontAsk");
  assert.equal(runner.runs[1].request.model, "opus");
  runner.runs.forEach((run) => run.end());
});

Deno.test("startChat() adds an error event with the stderr tail when the CLI exits non-zero", async () => {
  const { startChat, runner } = setup();
  const chat = await startChat({ prompt: "hi", cwd: "/work" });
  runner.runs[0].end({ code: 1, stderrTail: "boom" });
  const events = await collect(chat.events);
  assert.deepEqual(events.map((event) => event.type), ["error", "done"]);
  const error = events[0];
  assert.ok(error.type === "error");
  assert.equal(error.data.exit_code, 1);
  assert.equal(error.data.stderr, "boom");
  assert.equal(error.data.process_id, "p1");
});

Deno.test("startChat() rejects a cwd that does not exist, is a file, or leaves the allowed roots", async () => {
  const { startChat } = setup({ policy: { allowedRoots: ["/work"], allowedPermissionModes: null } });
  await assert.rejects(startChat({ prompt: "x", cwd: "/nope" }), (error: unknown) => {
    assert.ok(error instanceof InvalidFieldError);
    assert.equal(error.field, "cwd");
    assert.match(error.message, /cwd "\/nope" does not exist/);
    return true;
  });
  await assert.rejects(startChat({ prompt: "x", cwd: "/work/plugin.zip" }), /is not a directory/);
  await assert.rejects(startChat({ prompt: "x", cwd: "/tmp" }), ForbiddenError);
  // A symlink inside a root that leads outside it is judged by where it leads.
  await assert.rejects(startChat({ prompt: "x", cwd: "/work/link" }), /real path "\/etc"/);
  await assert.rejects(startChat({ prompt: "x", cwd: "/work", add_dir: ["/tmp"] }), (error: unknown) => {
    assert.ok(error instanceof ForbiddenError);
    assert.equal(error.field, "add_dir");
    return true;
  });
  await assert.rejects(
    startChat({ prompt: "x", cwd: "/work", plugin_dir: ["/nowhere/plugin"] }),
    /plugin_dir "\/nowhere\/plugin" does not exist/,
  );
});

Deno.test("startChat() refuses a permission mode the operator does not allow", async () => {
  const { startChat } = setup({
    policy: { allowedRoots: null, allowedPermissionModes: ["acceptEdits", "plan"] },
  });
  await assert.rejects(
    startChat({ prompt: "x", cwd: "/work", permission_mode: "bypassPermissions" }),
    /permission_mode "bypassPermissions" is not allowed/,
  );
});

Deno.test("startChat() refuses a second writer to a session that a running chat uses", async () => {
  const { startChat, runner } = setup();
  const sessionId = "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11";
  const first = await startChat({ prompt: "x", cwd: "/work", session_id: sessionId });
  await assert.rejects(startChat({ prompt: "y", cwd: "/work", session_id: sessionId }), SessionBusyError);
  // Forking reads the session but writes a new one, so it may run alongside.
  const fork = await startChat({ prompt: "z", cwd: "/work", session_id: sessionId, fork_session: true });
  runner.runs.forEach((run) => run.end());
  await Promise.all([collect(first.events), collect(fork.events)]);
  const again = await startChat({ prompt: "y", cwd: "/work", session_id: sessionId });
  runner.runs.at(-1)!.end();
  await collect(again.events);
});

Deno.test("startChat() queues past MAX_CONCURRENT, starts queued chats as slots free, and 429s a full queue", async () => {
  const { startChat, runner, slots, processes } = setup({ maxConcurrent: 1 });
  const first = await startChat({ prompt: "1", cwd: "/work" });
  const second = await startChat({ prompt: "2", cwd: "/work" });
  const third = await startChat({ prompt: "3", cwd: "/work" });
  assert.equal(runner.runs.length, 1);
  assert.deepEqual(processes.list().map((process) => process.status), ["running", "queued", "queued"]);
  await assert.rejects(startChat({ prompt: "4", cwd: "/work" }), (error: unknown) => {
    assert.ok(error instanceof CapacityError);
    assert.ok(error.retryAfterS >= 1);
    return true;
  });
  // A queued chat can be cancelled: its stream ends with done, and it never starts.
  third.stop("cancelled");
  const thirdEvents = await collect(third.events);
  assert.deepEqual(thirdEvents.map((event) => event.type), ["done"]);
  assert.equal(slots.queued, 1);

  const nextRun = runner.nextRun();
  runner.runs[0].end();
  await collect(first.events);
  const run2 = await nextRun;
  assert.equal(run2.request.prompt, "2");
  run2.write("second\n");
  run2.end();
  assert.deepEqual(lines(await collect(second.events)), ["second"]);
  assert.equal(runner.runs.length, 2);
  assert.equal(slots.running, 0);
});

Deno.test("startChat() ends a chat that waited longer than the queue timeout with an error event", async () => {
  const runner = new FakeCliRunner();
  const slots = new ChatSlots({ maxConcurrent: 1, queueMax: 1, queueTimeoutMs: 30 });
  const { startChat } = setup({ runner, slots });
  const first = await startChat({ prompt: "1", cwd: "/work" });
  const queued = await startChat({ prompt: "2", cwd: "/work" });
  const events = await collect(queued.events);
  assert.deepEqual(events.map((event) => event.type), ["error", "done"]);
  assert.ok(events[0].type === "error" && events[0].data.reason === "queue_timeout");
  runner.runs[0].end();
  await collect(first.events);
  assert.equal(slots.running, 0);
});

Deno.test("startChat() throws CliUnavailableError and frees the slot when the CLI cannot start", async () => {
  const { startChat, runner, slots, processes } = setup();
  runner.failWith = new CliUnavailableError("cannot start the Claude Code CLI");
  await assert.rejects(startChat({ prompt: "x", cwd: "/work" }), CliUnavailableError);
  assert.equal(slots.running, 0);
  assert.equal(processes.list().length, 0);
});

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

Deno.test("a consumer that cancels the stream stops the CLI and the chat still finishes", async () => {
  const { startChat, runner, processes, metrics } = setup();
  const chat = await startChat({ prompt: "x", cwd: "/work" });
  const run = runner.runs[0];
  // The CLI keeps printing after the client left: nobody reads, but the pipe must still be drained.
  run.onStop = (fake) => {
    for (let i = 0; i < 5; i++) fake.write(`late ${i}\n`);
    fake.end();
  };
  const reader = chat.events.getReader();
  run.write("one\n");
  await reader.read();
  await reader.cancel();
  await chat.finished;
  assert.equal(run.stops, 1);
  assert.equal(processes.list().length, 0);
  assert.equal(metrics.finished.disconnected, 1);
});

Deno.test("MAX_RUN_S stops a chat that runs too long, and its error event names the limit", async () => {
  const { startChat, runner, metrics } = setup({
    limits: { maxLineBytes: 1 << 20, maxRunMs: 20, idleMs: 0 },
  });
  const chat = await startChat({ prompt: "x", cwd: "/work" });
  runner.runs[0].write("working\n");
  const events = await collect(chat.events);
  const error = events.find((event) => event.type === "error");
  assert.ok(error?.type === "error");
  assert.equal(error.data.reason, "max_run");
  assert.match(error.data.message, /MAX_RUN_S/);
  assert.equal(metrics.finished.timeout, 1);
});

Deno.test("IDLE_TIMEOUT_S stops a CLI that prints nothing, but a slow reader is not idleness", async () => {
  const { startChat, runner } = setup({ limits: { maxLineBytes: 1 << 20, maxRunMs: 0, idleMs: 40 } });
  const slowReader = await startChat({ prompt: "x", cwd: "/work" });
  const run = runner.runs[0];
  for (let i = 0; i < 3; i++) run.write(`line ${i}\n`);
  const reader = slowReader.events.getReader();
  await reader.read();
  // Nobody reads for longer than the idle limit while output waits: no stop.
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.equal(run.stops, 0);
  run.end();
  while (!(await reader.read()).done) { /* drain */ }

  const silent = await startChat({ prompt: "y", cwd: "/work" });
  const events = await collect(silent.events);
  const error = events.find((event) => event.type === "error");
  assert.ok(error?.type === "error" && error.data.reason === "idle");
});

Deno.test("the session id comes from the request, else from the CLI's init line", async () => {
  const { startChat, runner, processes } = setup();
  const sessionId = "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11";
  const resumed = await startChat({ prompt: "x", cwd: "/work", session_id: sessionId });
  const fresh = await startChat({ prompt: "y", cwd: "/work" });
  assert.deepEqual(processes.list().map((process) => process.sessionId), [sessionId, null]);
  runner.runs[1].write('{"type":"system","subtype":"init","session_id":"from-cli"}\n');
  const reader = fresh.events.getReader();
  await reader.read();
  assert.deepEqual(processes.list().map((process) => process.sessionId), [sessionId, "from-cli"]);
  runner.runs.forEach((run) => run.end());
  await reader.cancel();
  await collect(resumed.events);
  await fresh.finished;
});

Deno.test("a forked chat reports the session the CLI announces, and does not block its origin", async () => {
  const { startChat, runner, processes } = setup();
  const origin = "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11";
  const fork = await startChat({ prompt: "x", cwd: "/work", session_id: origin, fork_session: true });
  assert.equal(fork.sessionId, null);
  runner.runs[0].write('{"type":"system","subtype":"init","session_id":"forked-1"}\n');
  const reader = fork.events.getReader();
  await reader.read();
  assert.equal(fork.sessionId, "forked-1");
  // The origin session is free to resume while the fork runs.
  const resume = await startChat({ prompt: "y", cwd: "/work", session_id: origin });
  assert.deepEqual(processes.list().map((process) => process.sessionId), ["forked-1", origin]);
  runner.runs.forEach((run) => run.end());
  await reader.cancel();
  await collect(resume.events);
  await fork.finished;
});
