import assert from "node:assert/strict";
import { Conversation } from "../../application/conversation.ts";
import { PermissionPrompts } from "../../application/permission_prompts.ts";
import { recognizeLine } from "../../application/recognize_line.ts";
import type { ChatEvent } from "../../domain/chat_event.ts";
import { CliTimeoutError, ConflictError } from "../../domain/errors.ts";
import { FakeClock } from "../support/fake_clock.ts";
import { FakeRun } from "../support/fakes.ts";

const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/** A conversation over a FakeRun that answers nothing by itself, on a FakeClock. */
function setup(options: { interactive?: boolean; asks?: boolean } = {}) {
  const clock = new FakeClock();
  const run = new FakeRun({ prompt: "hi", cwd: "/tmp" }, 1);
  run.onSend = () => {};
  let ids = 0;
  let changes = 0;
  const events: ChatEvent[] = [];
  let conversation: Conversation | null = null;
  const prompts = options.asks
    ? new PermissionPrompts({
      timeoutMs: 60_000,
      clock,
      send: (line) => run.send(line),
      emit: (event) => conversation?.emit(event),
      count: () => {},
      allowedModes: null,
      onChange: () => {},
    })
    : null;
  conversation = new Conversation(run, {
    interactive: options.interactive ?? false,
    prompts,
    clock,
    graceMs: 5_000,
    controlTimeoutMs: 10_000,
    newId: () => `id-${++ids}`,
    onActivityChange: () => changes++,
  });
  /** Hands the conversation one stdout line; true when the client would see it. */
  const observe = (line: object | string) => {
    const bytes = new TextEncoder().encode(typeof line === "string" ? line : JSON.stringify(line));
    const recognized = recognizeLine(bytes);
    const shown = recognized === null || conversation!.observe(recognized);
    events.push(...conversation!.takeEvents());
    return shown;
  };
  return { clock, run, conversation, observe, events, changes: () => changes };
}

const RESULT = { type: "result", subtype: "success", is_error: false };
const lifecycle = (id: string, state: string) => ({ type: "command_lifecycle", command_uuid: id, state });
const success = (requestId: string, response: object = {}) => ({
  type: "control_response",
  response: { subtype: "success", request_id: requestId, response },
});

Deno.test("Conversation.begin() writes the prompt as the first user message, without a uuid when not interactive", () => {
  const { run, conversation } = setup();
  conversation.begin({ text: "hello" });
  assert.deepEqual(run.sentLines, [{
    type: "user",
    session_id: "",
    parent_tool_use_id: null,
    message: { role: "user", content: [{ type: "text", text: "hello" }] },
  }]);
});

Deno.test("Conversation.begin() puts the images before the text, and the prompt has no uuid even when interactive", () => {
  const { run, conversation } = setup({ interactive: true });
  conversation.begin({ text: "what is this?", images: [{ media_type: "image/png", data: PNG }] });
  const [line] = run.sentLines as { uuid?: string; message: { content: unknown[] } }[];
  assert.equal("uuid" in line, false);
  assert.deepEqual(line.message.content, [
    { type: "image", source: { type: "base64", media_type: "image/png", data: PNG } },
    { type: "text", text: "what is this?" },
  ]);
  assert.equal(conversation.turnRunning, true);
});

Deno.test("Conversation.observe() keeps the control protocol's lines from the client and passes the others", () => {
  const { conversation, observe } = setup({ interactive: true });
  conversation.begin({ text: "hi" });
  assert.equal(observe({ type: "system", subtype: "init", session_id: "s" }), true);
  assert.equal(observe({ type: "assistant", message: { content: [] } }), true);
  assert.equal(observe(success("someone-else")), false);
  assert.equal(observe({ type: "control_cancel_request", request_id: "r" }), false);
  assert.equal(
    observe({ type: "control_request", request_id: "r2", request: { subtype: "hook_callback" } }),
    false,
  );
  assert.equal(observe(lifecycle("id-1", "started")), true);
  assert.equal(observe(RESULT), true);
});

Deno.test("a chat that is not interactive closes the CLI's input after its first result, and takes no message", () => {
  const { run, conversation, observe } = setup();
  conversation.begin({ text: "hi" });
  assert.equal(conversation.turnRunning, true);
  observe({ type: "assistant", message: { content: [] } });
  assert.equal(run.inputEnded, false);
  observe(RESULT);
  assert.equal(run.inputEnded, true);
  assert.equal(conversation.turnRunning, false);
  assert.throws(
    () => conversation.send({ text: "more" }),
    (error: unknown) => error instanceof ConflictError && error.code === "chat_not_interactive",
  );
});

Deno.test("an interactive chat keeps its input open and tracks its turns through command_lifecycle lines", () => {
  const { run, conversation, observe, changes } = setup({ interactive: true });
  conversation.begin({ text: "first" });
  const second = conversation.send({ text: "second" });
  assert.equal(second, "id-1");
  assert.deepEqual(run.sentLines.at(-1), {
    type: "user",
    session_id: "",
    parent_tool_use_id: null,
    uuid: "id-1",
    message: { role: "user", content: [{ type: "text", text: "second" }] },
  });
  observe(lifecycle("id-1", "queued"));
  observe(RESULT);
  assert.equal(run.inputEnded, false);
  assert.equal(conversation.turnRunning, true, "the queued message still waits for its turn");
  observe(lifecycle("id-1", "started"));
  observe(RESULT);
  assert.equal(conversation.turnRunning, false);
  assert.ok(changes() >= 3, "each change of activity was reported");
  const now = conversation.send({ text: "now", priority: "now" });
  assert.equal((run.sentLines.at(-1) as { priority: string }).priority, "now");
  assert.equal(conversation.turnRunning, true);
  observe(lifecycle(now, "started"));
  observe(lifecycle(now, "completed"));
  assert.equal(conversation.turnRunning, false, "a completed message ends its turn even before its result");
});

Deno.test("Conversation.end() interrupts a running turn and signals the CLI once the turn's result is out", () => {
  const { run, conversation, observe, clock } = setup({ interactive: true });
  conversation.begin({ text: "hi" });
  conversation.end();
  assert.deepEqual(run.sentLines.at(-1), {
    type: "control_request",
    request_id: "gw-end-id-1",
    request: { subtype: "interrupt", cancel_queued: true },
  });
  assert.equal(run.stops, 0, "no signal while the CLI ends its turn");
  assert.throws(
    () => conversation.send({ text: "late" }),
    (error: unknown) => error instanceof ConflictError && error.code === "chat_ended",
  );
  observe(success("gw-end-id-1", { still_queued: [] }));
  assert.equal(run.stops, 0);
  observe({ type: "user", message: { content: [{ type: "text", text: "[Request interrupted by user]" }] } });
  observe({ type: "result", subtype: "error_during_execution", is_error: true });
  assert.equal(run.stops, 1);
  clock.advance(60_000);
  assert.equal(run.stops, 1, "the fallback was cancelled");
});

Deno.test("Conversation.end() stops the CLI after graceMs when it never ends its turn", () => {
  const { run, conversation, clock } = setup();
  conversation.begin({ text: "hi" });
  conversation.end();
  conversation.end();
  assert.equal(run.sentLines.filter((line) => line.type === "control_request").length, 1, "idempotent");
  clock.advance(4_999);
  assert.equal(run.stops, 0);
  clock.advance(1);
  assert.equal(run.stops, 1);
});

Deno.test("Conversation.end() signals at once when no turn runs", () => {
  const idle = setup({ interactive: true });
  idle.conversation.begin({ text: "hi" });
  idle.observe(RESULT);
  idle.conversation.end();
  assert.equal(idle.run.stops, 1);
  assert.equal(idle.run.sentLines.length, 1, "no interrupt for a turn that is over");

  const answered = setup();
  answered.conversation.begin({ text: "hi" });
  answered.observe(RESULT);
  answered.conversation.end();
  assert.equal(answered.run.stops, 1);
});

Deno.test("Conversation.control() resolves with the CLI's answer", async () => {
  const { run, conversation, observe } = setup({ interactive: true });
  conversation.begin({ text: "hi" });
  const answer = conversation.control({ subtype: "set_permission_mode", mode: "plan" });
  assert.deepEqual(run.sentLines.at(-1), {
    type: "control_request",
    request_id: "gw-id-1",
    request: { subtype: "set_permission_mode", mode: "plan" },
  });
  observe(success("gw-id-1", { mode: "plan" }));
  assert.deepEqual(await answer, { mode: "plan" });
});

Deno.test("Conversation.control() rejects with cli_refused when the CLI answers with an error", async () => {
  const { conversation, observe } = setup({ interactive: true });
  conversation.begin({ text: "hi" });
  const answer = conversation.control({ subtype: "set_permission_mode", mode: "bypassPermissions" });
  observe({
    type: "control_response",
    response: { subtype: "error", request_id: "gw-id-1", error: "Cannot set permission mode" },
  });
  await assert.rejects(answer, (error: unknown) => {
    assert.ok(error instanceof ConflictError);
    assert.equal(error.code, "cli_refused");
    assert.match(error.message, /Cannot set permission mode/);
    return true;
  });
});

Deno.test("Conversation.control() rejects with cli_timeout when the CLI does not answer in time", async () => {
  const { conversation, clock, observe } = setup({ interactive: true });
  conversation.begin({ text: "hi" });
  const answer = conversation.control({ subtype: "set_model", model: "haiku" });
  clock.advance(9_999);
  clock.advance(1);
  await assert.rejects(answer, (error: unknown) => {
    assert.ok(error instanceof CliTimeoutError);
    assert.match(error.message, /"set_model" within 10 s/);
    return true;
  });
  assert.equal(observe(success("gw-id-1")), false, "a late answer is dropped");
});

Deno.test("Conversation.exited() rejects the control requests still waiting, and nothing can be sent after", async () => {
  const { conversation } = setup({ interactive: true });
  conversation.begin({ text: "hi" });
  const answer = conversation.control({ subtype: "interrupt" });
  conversation.exited();
  await assert.rejects(
    answer,
    (error: unknown) => error instanceof ConflictError && error.code === "chat_ended",
  );
  assert.throws(() => conversation.control({ subtype: "interrupt" }), ConflictError);
  assert.equal(conversation.turnRunning, false);
});

Deno.test("Conversation.interrupt() returns what the CLI kept and dropped, and forgets the dropped messages", async () => {
  const { conversation, observe } = setup({ interactive: true });
  conversation.begin({ text: "hi" });
  const queued = conversation.send({ text: "later" });
  const interrupted = conversation.interrupt(true);
  observe(success("gw-id-2", { still_queued: [], cancelled: [queued] }));
  assert.deepEqual(await interrupted, { still_queued: [], cancelled: [queued] });
  observe({ type: "result", subtype: "error_during_execution", is_error: true });
  assert.equal(conversation.turnRunning, false);
});

Deno.test("a control request of the CLI the gateway does not handle gets an error answer", () => {
  const { run, observe } = setup({ interactive: true });
  observe({ type: "control_request", request_id: "cli-1", request: { subtype: "hook_callback" } });
  assert.deepEqual(run.sentLines.at(-1), {
    type: "control_response",
    response: {
      subtype: "error",
      request_id: "cli-1",
      error: 'the gateway does not handle "hook_callback"',
    },
  });
  observe({
    type: "control_request",
    request_id: "cli-2",
    request: { subtype: "can_use_tool", tool_name: "Write" },
  });
  assert.equal(
    (run.sentLines.at(-1) as { response: { subtype: string } }).response.subtype,
    "error",
    "nobody asks",
  );
});

Deno.test("a can_use_tool request becomes a permission_request event, and its withdrawal a permission_resolved one", () => {
  const { conversation, observe, events } = setup({ interactive: true, asks: true });
  conversation.begin({ text: "hi" });
  const ask = {
    subtype: "can_use_tool",
    tool_name: "Write",
    input: { file_path: "/tmp/a" },
    tool_use_id: "t1",
  };
  assert.equal(observe({ type: "control_request", request_id: "cli-1", request: ask }), false);
  assert.equal(events.length, 1);
  assert.equal(events[0].type, "permission_request");
  assert.equal(conversation.prompts?.size, 1);
  observe({ type: "control_cancel_request", request_id: "cli-1" });
  assert.deepEqual(events[1], {
    type: "permission_resolved",
    data: { request_id: "cli-1", outcome: "cancelled", by: "cli", message: null },
  });
  assert.equal(conversation.prompts?.size, 0);
});

const GRACE_MS = 5_000;

/** A conversation over a run that records its stdin and signals and answers nothing by itself. */
function setupBare(interactive: boolean) {
  const run = new FakeRun({ prompt: "hi", cwd: "/work" }, 4242);
  run.onSend = () => {};
  run.onStop = () => {};
  let ids = 0;
  const conversation = new Conversation(run, {
    interactive,
    prompts: null,
    clock: new FakeClock(),
    graceMs: GRACE_MS,
    controlTimeoutMs: 15_000,
    newId: () => `id-${++ids}`,
    onActivityChange: () => {},
  });
  const observe = (line: Record<string, unknown>) =>
    conversation.observe(recognizeLine(new TextEncoder().encode(JSON.stringify(line)))!);
  return { run, conversation, observe };
}

for (const interactive of [false, true]) {
  Deno.test(`the prompt is written without an id (interactive: ${interactive}), so a stop cannot drop it`, () => {
    // The CLI drops a message with an id that is still queued when an interrupt with cancel_queued comes,
    // which a stop in its first second does: no turn, no session to resume.
    const { run, conversation } = setupBare(interactive);
    conversation.begin({ text: "hello" });
    const [line] = run.sentLines;
    assert.equal(line.type, "user");
    assert.equal("uuid" in line, false);
    assert.equal(conversation.turnRunning, true, "the prompt's turn runs until its result");
    conversation.end();
    assert.deepEqual(run.sentLines[1].request, { subtype: "interrupt", cancel_queued: true });
    assert.equal(run.stops, 0, "the CLI ends its turn first");
  });
}

Deno.test("an interactive chat is between turns after the prompt's result, and busy again with a follow-up", () => {
  const { conversation, observe } = setupBare(true);
  conversation.begin({ text: "hello" });
  observe({ type: "result", subtype: "success" });
  assert.equal(conversation.turnRunning, false);
  const id = conversation.send({ text: "more" });
  assert.equal(conversation.turnRunning, true);
  observe({ type: "command_lifecycle", command_uuid: id, state: "started" });
  observe({ type: "result", subtype: "success" });
  assert.equal(conversation.turnRunning, false);
});

Deno.test("an end whose interrupt drops the last queued follow-up between turns signals the CLI at once", () => {
  // No turn runs, so no result will come: waiting for one would cost the whole grace period.
  const { run, conversation, observe } = setupBare(true);
  conversation.begin({ text: "hello" });
  observe({ type: "result", subtype: "success" });
  const id = conversation.send({ text: "more" });
  conversation.end();
  assert.equal(run.stops, 0);
  observe({ type: "command_lifecycle", command_uuid: id, state: "cancelled" });
  assert.equal(run.stops, 1);
});
