import assert from "node:assert/strict";
import { PermissionPrompts } from "../../application/permission_prompts.ts";
import type { ChatEvent, PermissionOutcome } from "../../domain/chat_event.ts";
import type { PermissionMode } from "../../domain/chat_request.ts";
import { ConflictError, ForbiddenError, NotFoundError } from "../../domain/errors.ts";
import { FakeClock } from "../support/fake_clock.ts";

/** Prompts on a FakeClock that record what they send, emit and count. */
function setup(allowedModes: PermissionMode[] | null = null) {
  const clock = new FakeClock(Date.parse("2026-12-08T12:00:00.000Z"));
  const sent: Record<string, unknown>[] = [];
  const events: ChatEvent[] = [];
  const counted: PermissionOutcome[] = [];
  let changes = 0;
  const prompts = new PermissionPrompts({
    timeoutMs: 300_000,
    clock,
    send: (line) => sent.push(JSON.parse(line)),
    emit: (event) => events.push(event),
    count: (outcome) => counted.push(outcome),
    allowedModes,
    onChange: () => changes++,
  });
  /** The PermissionResult of the last answer sent to the CLI. */
  const lastResult = () =>
    (sent.at(-1) as { response: { request_id: string; response: Record<string, unknown> } }).response;
  return { clock, prompts, sent, events, counted, lastResult, changes: () => changes };
}

const WRITE = {
  subtype: "can_use_tool",
  tool_name: "Write",
  input: { file_path: "/tmp/p/out.txt", content: "hello" },
  description: "out.txt",
  permission_suggestions: [{ type: "setMode", mode: "acceptEdits", destination: "session" }],
  tool_use_id: "toolu_1",
};

const BASH = {
  subtype: "can_use_tool",
  tool_name: "Bash",
  input: { command: "echo x > /tmp/p/out.txt" },
  description: "run a command",
  permission_suggestions: [
    {
      type: "addRules",
      rules: [{ toolName: "Bash", ruleContent: "echo x *" }],
      behavior: "allow",
      destination: "localSettings",
    },
    { type: "addDirectories", directories: ["/tmp/p"], destination: "session" },
  ],
  blocked_path: "/tmp/p/out.txt",
  tool_use_id: "toolu_2",
};

Deno.test("ask() emits permission_request with the gateway's shape and when it expires", () => {
  const { prompts, events, changes } = setup();
  prompts.ask("r1", WRITE);
  const request = {
    request_id: "r1",
    tool_name: "Write",
    tool_use_id: "toolu_1",
    input: { file_path: "/tmp/p/out.txt", content: "hello" },
    description: "out.txt",
    blocked_path: null,
    decision_reason: null,
    suggestions: [{ type: "setMode", mode: "acceptEdits", destination: "session" }],
    requires_user_interaction: false,
    expires_at: "2026-12-08T12:05:00.000Z",
  };
  assert.deepEqual(events, [{ type: "permission_request", data: request }]);
  assert.deepEqual(prompts.list(), [request]);
  assert.equal(prompts.size, 1);
  assert.equal(changes(), 1);
});

Deno.test("ask() marks the questions a person must answer and survives a request with odd fields", () => {
  const { prompts } = setup();
  prompts.ask("r1", {
    tool_name: "AskUserQuestion",
    input: { questions: [{ question: "Which color?" }] },
    requires_user_interaction: true,
  });
  prompts.ask("r2", { input: "not an object", permission_suggestions: "none", tool_use_id: 7 });
  const [ask, odd] = prompts.list();
  assert.equal(ask.requires_user_interaction, true);
  assert.deepEqual(
    [odd.tool_name, odd.input, odd.suggestions, odd.tool_use_id, odd.requires_user_interaction],
    ["unknown", {}, [], null, false],
  );
});

Deno.test("an allow answers the CLI with the model's input and emits permission_resolved", () => {
  const { prompts, events, counted, lastResult } = setup();
  prompts.ask("r1", WRITE);
  const data = prompts.answer("r1", { behavior: "allow" });
  assert.equal(data.request_id, "r1");
  assert.deepEqual(lastResult(), {
    subtype: "success",
    request_id: "r1",
    response: { behavior: "allow", updatedInput: WRITE.input },
  });
  assert.deepEqual(events.at(-1), {
    type: "permission_resolved",
    data: { request_id: "r1", outcome: "allowed", by: "client", message: null },
  });
  assert.deepEqual(counted, ["allowed"]);
  assert.equal(prompts.size, 0);
});

Deno.test("an allow with updated_input runs the tool with the client's input", () => {
  const { prompts, lastResult } = setup();
  prompts.ask("r1", WRITE);
  prompts.answer("r1", {
    behavior: "allow",
    updated_input: { file_path: "/tmp/p/out.txt", content: "mine" },
  });
  assert.deepEqual(lastResult().response, {
    behavior: "allow",
    updatedInput: { file_path: "/tmp/p/out.txt", content: "mine" },
  });
});

Deno.test("a deny tells the CLI and the stream the message, the default one included", () => {
  const { prompts, events, counted, lastResult } = setup();
  prompts.ask("r1", WRITE);
  prompts.answer("r1", { behavior: "deny", message: "Not there.", interrupt: true });
  assert.deepEqual(lastResult().response, { behavior: "deny", message: "Not there.", interrupt: true });
  assert.deepEqual(events.at(-1), {
    type: "permission_resolved",
    data: { request_id: "r1", outcome: "denied", by: "client", message: "Not there." },
  });
  prompts.ask("r2", WRITE);
  prompts.answer("r2", { behavior: "deny" });
  assert.deepEqual(lastResult().response, { behavior: "deny", message: "The user denied this tool use." });
  assert.deepEqual(events.at(-1), {
    type: "permission_resolved",
    data: { request_id: "r2", outcome: "denied", by: "client", message: "The user denied this tool use." },
  });
  assert.deepEqual(counted, ["denied", "denied"]);
});

Deno.test('remember: "chat" moves every suggestion to the session and drops those that reach beyond the chat', () => {
  const { prompts, lastResult } = setup();
  prompts.ask("r1", BASH);
  prompts.answer("r1", { behavior: "allow", remember: "chat" });
  assert.deepEqual(lastResult().response.updatedPermissions, [{
    type: "addRules",
    rules: [{ toolName: "Bash", ruleContent: "echo x *" }],
    behavior: "allow",
    destination: "session",
  }]);
});

Deno.test('remember: "chat" applies no mode outside ALLOWED_PERMISSION_MODES, and falls back to a rule for the tool', () => {
  const { prompts, lastResult } = setup(["default", "plan"]);
  prompts.ask("r1", WRITE);
  prompts.answer("r1", { behavior: "allow", remember: "chat" });
  assert.deepEqual(lastResult().response.updatedPermissions, [{
    type: "addRules",
    rules: [{ toolName: "Write" }],
    behavior: "allow",
    destination: "session",
  }]);
  const allowing = setup(["acceptEdits"]);
  allowing.prompts.ask("r1", WRITE);
  allowing.prompts.answer("r1", { behavior: "allow", remember: "chat" });
  assert.deepEqual(allowing.lastResult().response.updatedPermissions, [
    { type: "setMode", mode: "acceptEdits", destination: "session" },
  ]);
});

Deno.test("allowing ExitPlanMode is forbidden when the mode it switches to is not allowed; denying it is not", () => {
  const { prompts, sent } = setup(["plan"]);
  prompts.ask("r1", { tool_name: "ExitPlanMode", input: {}, requires_user_interaction: true });
  assert.throws(() => prompts.answer("r1", { behavior: "allow" }), (error: unknown) => {
    assert.ok(error instanceof ForbiddenError);
    assert.match(error.message, /"default", which is not allowed \(allowed: plan\)/);
    return true;
  });
  assert.equal(prompts.size, 1, "the request still waits for an answer");
  assert.deepEqual(sent, []);
  prompts.answer("r1", { behavior: "deny", message: "Stay in plan mode." });
  assert.equal(prompts.size, 0);
  const open = setup(["plan", "default"]);
  open.prompts.ask("r1", { tool_name: "ExitPlanMode", input: {} });
  open.prompts.answer("r1", { behavior: "allow" });
  assert.equal(open.lastResult().response.behavior, "allow");
});

Deno.test("a request nobody answers is denied at PERMISSION_TIMEOUT_S, with a message saying so", () => {
  const { prompts, clock, events, counted, lastResult } = setup();
  prompts.ask("r1", WRITE);
  clock.advance(299_999);
  assert.equal(prompts.size, 1);
  clock.advance(1);
  const message = "no answer within PERMISSION_TIMEOUT_S (300 s): denied by the gateway";
  assert.deepEqual(lastResult(), {
    subtype: "success",
    request_id: "r1",
    response: { behavior: "deny", message },
  });
  assert.deepEqual(events.at(-1), {
    type: "permission_resolved",
    data: { request_id: "r1", outcome: "timeout", by: "timeout", message },
  });
  assert.deepEqual(counted, ["timeout"]);
  assert.equal(prompts.size, 0);
  assert.equal(clock.pending, 0);
});

Deno.test("a request the CLI withdraws is cancelled without an answer, and its timer stops", () => {
  const { prompts, clock, events, sent, counted } = setup();
  prompts.ask("r1", WRITE);
  prompts.withdrawn("r1");
  prompts.withdrawn("r1");
  prompts.withdrawn("never-asked");
  assert.deepEqual(sent, []);
  assert.deepEqual(events.at(-1), {
    type: "permission_resolved",
    data: { request_id: "r1", outcome: "cancelled", by: "cli", message: null },
  });
  assert.equal(events.length, 2);
  assert.deepEqual(counted, ["cancelled"]);
  assert.equal(clock.pending, 0);
});

Deno.test("endAll() cancels every request still waiting, once each", () => {
  const { prompts, events, sent, clock } = setup();
  prompts.ask("r1", WRITE);
  prompts.ask("r2", BASH);
  prompts.answer("r1", { behavior: "allow" });
  prompts.endAll();
  prompts.endAll();
  assert.deepEqual(
    events.filter((event) => event.type === "permission_resolved").map((event) => event.data),
    [
      { request_id: "r1", outcome: "allowed", by: "client", message: null },
      { request_id: "r2", outcome: "cancelled", by: "chat_end", message: null },
    ],
  );
  assert.equal(sent.length, 1);
  assert.equal(clock.pending, 0);
});

Deno.test("answering an unknown request is a NotFoundError; one already resolved a ConflictError", () => {
  const { prompts } = setup();
  assert.throws(
    () => prompts.answer("nope", { behavior: "allow" }),
    (error: unknown) => error instanceof NotFoundError && error.code === "permission_not_found",
  );
  prompts.ask("r1", WRITE);
  prompts.answer("r1", { behavior: "allow" });
  prompts.ask("r2", WRITE);
  prompts.withdrawn("r2");
  for (const id of ["r1", "r2"]) {
    assert.throws(
      () => prompts.answer(id, { behavior: "deny" }),
      (error: unknown) => error instanceof ConflictError && error.code === "permission_resolved",
    );
  }
});
