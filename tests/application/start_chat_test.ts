import assert from "node:assert/strict";
import { ChatSlots } from "../../application/chat_slots.ts";
import { createStartChat } from "../../application/start_chat.ts";
import { CapacityError, ForbiddenError, InvalidFieldError, SessionBusyError } from "../../domain/errors.ts";
import { CliUnavailableError } from "../../domain/errors.ts";
import { systemClock } from "../../infrastructure/system_clock.ts";
import { collectEvents as collect, messageLines as lines, settle } from "../support/chat_events.ts";
import { FakeClock } from "../support/fake_clock.ts";
import { FakeDirectories } from "../support/fakes.ts";
import { fakeStartChatDeps } from "../support/start_chat_deps.ts";

function setup(overrides: Parameters<typeof fakeStartChatDeps>[0] & { maxConcurrent?: number } = {}) {
  let ids = 0;
  const deps = fakeStartChatDeps({
    directories: new FakeDirectories(["/work", "/tmp", "/etc"], ["/work/plugin.zip"], {
      "/work/link": "/etc",
    }),
    slots: new ChatSlots({
      maxConcurrent: overrides.maxConcurrent ?? 4,
      queueMax: 2,
      queueTimeoutMs: 60_000,
      clock: overrides.clock ?? systemClock,
    }),
    newId: () => `p${++ids}`,
    ...overrides,
  });
  const { runner, processes, metrics, slots } = deps;
  return { startChat: createStartChat(deps), runner, processes, metrics, slots };
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
  const { startChat } = setup({
    policy: { allowedRoots: ["/work"], allowedPermissionModes: null, deniedFields: null },
  });
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
    policy: { allowedRoots: null, allowedPermissionModes: ["acceptEdits", "plan"], deniedFields: null },
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
  const clock = new FakeClock();
  const slots = new ChatSlots({ maxConcurrent: 1, queueMax: 1, queueTimeoutMs: 30_000, clock });
  const { startChat, runner } = setup({ slots, clock });
  const first = await startChat({ prompt: "1", cwd: "/work" });
  const queued = await startChat({ prompt: "2", cwd: "/work" });
  const collecting = collect(queued.events);
  await settle();
  clock.advance(29_999);
  assert.equal(queued.isFinished, false);
  clock.advance(1);
  const events = await collecting;
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
  while (!(await reader.read()).done) { /* to the end */ }
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
  while (!(await reader.read()).done) { /* to the end */ }
  await collect(resume.events);
  await fork.finished;
});

Deno.test("startChat() starts the CLI on the real paths it checked while the chat shows the paths asked", async () => {
  const { startChat, runner } = setup();
  const chat = await startChat({
    prompt: "x",
    cwd: "/work/link",
    add_dir: ["/work/link"],
    plugin_dir: ["/work/link"],
  });
  const started = runner.runs[0].request;
  assert.equal(started.cwd, "/etc");
  assert.deepEqual(started.add_dir, ["/etc"]);
  assert.deepEqual(started.plugin_dir, ["/etc"]);
  assert.equal(chat.cwd, "/work/link");
  runner.runs[0].end({ code: 0 });
  await collect(chat.events);
});
