import assert from "node:assert/strict";
import { FakeClock } from "../../support/fake_clock.ts";
import { parseSse } from "../../../testkit/sse_client.ts";
import {
  answerControls,
  authedJson,
  canUseToolLine,
  nextEvent,
  openChat,
} from "../../support/chat_control.ts";
import { AUTH, buildTestApp, chatRequest, type ErrorJson } from "../../support/test_app.ts";

const CHAT = { prompt: "x", cwd: "/tmp" };
const INTERACTIVE = { ...CHAT, interactive: true };
const ASKING = { ...INTERACTIVE, permission_prompt: "client" };
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";
const INIT = '{"type":"system","subtype":"init","session_id":"s-1"}';
const ASSISTANT = '{"type":"assistant","message":{"content":[{"type":"text","text":"ok"}]}}';
const RESULT = '{"type":"result","subtype":"success","is_error":false}';

/** The error code and the fields named of an error response. */
async function errorOf(response: Response): Promise<{ status: number; code: string; fields: string[] }> {
  const body: ErrorJson = await response.json();
  return {
    status: response.status,
    code: body.error.code,
    fields: (body.error.details ?? []).map((detail) => detail.field),
  };
}

Deno.test("an interactive chat names its new session up front: --session-id for the CLI, X-Session-ID for the client", async () => {
  const test = buildTestApp();
  const chat = await openChat(test, INTERACTIVE);
  const sessionId = chat.run.request.new_session_id;
  assert.match(sessionId ?? "", /^[0-9a-f-]{36}$/);
  assert.equal(chat.response.headers.get("X-Session-ID"), sessionId);
  assert.equal(chat.run.request.interactive, true);
  await chat.finish();

  const plain = await openChat(test, CHAT);
  assert.equal(plain.run.request.new_session_id, undefined);
  assert.equal(plain.response.headers.get("X-Session-ID"), null, "known only once the CLI announces it");
  await plain.finish();
});

Deno.test("POST /chat/{id}/messages writes a follow-up to the CLI's stdin and answers 202 with its id", async () => {
  const test = buildTestApp();
  const chat = await openChat(test, INTERACTIVE);
  const response = await test.app.request(
    `/chat/${chat.id}/messages`,
    authedJson("POST", { prompt: "and more" }),
  );
  assert.equal(response.status, 202);
  const accepted = await response.json();
  assert.equal(accepted.process_id, chat.id);
  assert.deepEqual(chat.run.sentLines.at(-1), {
    type: "user",
    session_id: "",
    parent_tool_use_id: null,
    uuid: accepted.message_id,
    message: { role: "user", content: [{ type: "text", text: "and more" }] },
  });
  const now = await test.app.request(
    `/chat/${chat.id}/messages`,
    authedJson("POST", {
      prompt: "stop that",
      priority: "now",
      images: [{ media_type: "image/png", data: PNG }],
    }),
  );
  assert.equal(now.status, 202);
  const line = chat.run.sentLines.at(-1) as { priority: string; message: { content: { type: string }[] } };
  assert.equal(line.priority, "now");
  assert.deepEqual(line.message.content.map((block) => block.type), ["image", "text"]);
  chat.run.write(`${INIT}\n${ASSISTANT}\n`);
  assert.equal((await nextEvent(chat, "message")).data, INIT);
  await chat.finish();
});

Deno.test("a follow-up to a chat that is not interactive, or has ended, is a 409; to an unknown chat a 404", async () => {
  const test = buildTestApp();
  const plain = await openChat(test, CHAT);
  const refused = await test.app.request(
    `/chat/${plain.id}/messages`,
    authedJson("POST", { prompt: "more" }),
  );
  assert.deepEqual(await errorOf(refused), { status: 409, code: "chat_not_interactive", fields: [] });
  await plain.finish();

  const ended = await openChat(test, INTERACTIVE);
  await ended.finish();
  const late = await test.app.request(`/chat/${ended.id}/messages`, authedJson("POST", { prompt: "more" }));
  assert.deepEqual(await errorOf(late), { status: 409, code: "chat_ended", fields: [] });
  assert.equal(ended.run.sentLines.length, 1, "nothing but the prompt was written");

  const unknown = "11111111-1111-4111-8111-111111111111";
  for (
    const [path, init] of [
      [`/chat/${unknown}/messages`, authedJson("POST", { prompt: "more" })],
      [`/chat/${unknown}/interrupt`, authedJson("POST")],
      [`/chat/${unknown}/permissions`, authedJson("GET")],
      [`/chat/${unknown}/permissions/r1`, authedJson("POST", { behavior: "allow" })],
      [`/chat/${unknown}`, authedJson("PATCH", { model: "haiku" })],
    ] as const
  ) {
    const response = await test.app.request(path, init);
    assert.deepEqual(await errorOf(response), { status: 404, code: "process_not_found", fields: [] }, path);
  }
});

Deno.test("a permission request of the CLI reaches the client as an event, is listed, answered once and resolved", async () => {
  const test = buildTestApp();
  const chat = await openChat(test, ASKING);
  assert.deepEqual(chat.run.request.permission_prompt, "client");
  chat.run.write(`${INIT}\n${ASSISTANT}\n${canUseToolLine("req-1")}`);
  const asked = await nextEvent(chat, "permission_request");
  const request = JSON.parse(asked.data);
  assert.equal(request.request_id, "req-1");
  assert.equal(request.tool_name, "Write");
  assert.deepEqual(request.input, { file_path: "/tmp/out.txt", content: "hello" });
  assert.match(request.expires_at, /^\d{4}-\d{2}-\d{2}T/);
  assert.ok(asked.id, "a permission event has an id, as every event");
  assert.ok(!chat.stream.raw.includes("control_request"), "the control line itself is not on the stream");

  const listed = await (await test.app.request(`/chat/${chat.id}/permissions`, authedJson("GET"))).json();
  assert.deepEqual(listed, { process_id: chat.id, permissions: [request] });
  const processes = await (await test.app.request("/processes", authedJson("GET"))).json();
  assert.equal(processes.processes[0].pending_permissions, 1);
  assert.equal(processes.processes[0].interactive, true);

  const answer = { behavior: "allow", updated_input: { file_path: "/tmp/out.txt", content: "edited" } };
  const answered = await test.app.request(`/chat/${chat.id}/permissions/req-1`, authedJson("POST", answer));
  assert.equal(answered.status, 200);
  assert.deepEqual(await answered.json(), { process_id: chat.id, request_id: "req-1", behavior: "allow" });
  assert.deepEqual(chat.run.sentLines.at(-1), {
    type: "control_response",
    response: {
      subtype: "success",
      request_id: "req-1",
      response: { behavior: "allow", updatedInput: { file_path: "/tmp/out.txt", content: "edited" } },
    },
  });
  const resolved = await nextEvent(chat, "permission_resolved");
  assert.deepEqual(JSON.parse(resolved.data), {
    request_id: "req-1",
    outcome: "allowed",
    by: "client",
    message: null,
  });

  const again = await test.app.request(
    `/chat/${chat.id}/permissions/req-1`,
    authedJson("POST", { behavior: "deny" }),
  );
  assert.deepEqual(await errorOf(again), { status: 409, code: "permission_resolved", fields: [] });
  const unknown = await test.app.request(
    `/chat/${chat.id}/permissions/req-9`,
    authedJson("POST", { behavior: "deny" }),
  );
  assert.deepEqual(await errorOf(unknown), { status: 404, code: "permission_not_found", fields: [] });
  const empty = await (await test.app.request(`/chat/${chat.id}/permissions`, authedJson("GET"))).json();
  assert.deepEqual(empty.permissions, []);
  const messages = parseSse(chat.stream.raw).filter((event) => event.event === "message").map((event) =>
    event.data
  );
  assert.deepEqual(messages, [INIT, ASSISTANT]);
  const metrics = await (await test.app.request("/metrics", { headers: AUTH })).text();
  assert.match(metrics, /^claudecode2api_permission_requests_total\{outcome="allowed"\} 1$/m);
  assert.match(metrics, /^claudecode2api_permission_requests_total\{outcome="timeout"\} 0$/m);
  await chat.finish();
});

Deno.test("a permission request nobody answers is denied at PERMISSION_TIMEOUT_S, and the stream says so", async () => {
  const clock = new FakeClock();
  const test = buildTestApp({ startChat: { clock } });
  const chat = await openChat(test, ASKING);
  chat.run.write(canUseToolLine("req-1"));
  await nextEvent(chat, "permission_request");
  clock.advance(300_000);
  const resolved = JSON.parse((await nextEvent(chat, "permission_resolved")).data);
  assert.deepEqual(resolved, {
    request_id: "req-1",
    outcome: "timeout",
    by: "timeout",
    message: "no answer within PERMISSION_TIMEOUT_S (300 s): denied by the gateway",
  });
  assert.deepEqual((chat.run.sentLines.at(-1) as { response: object }).response, {
    subtype: "success",
    request_id: "req-1",
    response: { behavior: "deny", message: resolved.message },
  });
  await chat.finish();
});

Deno.test("an interactive chat ends after INTERACTIVE_IDLE_S with nothing to do, but never while a permission request waits", async () => {
  const clock = new FakeClock();
  const limits = { maxLineBytes: 1 << 20, maxRunMs: 0, idleMs: 60_000, inactiveMs: 600_000 };
  const test = buildTestApp({ startChat: { clock, limits } });
  const chat = await openChat(test, ASKING);
  const first = (chat.run.sentLines[0] as { uuid: string }).uuid;
  chat.run.write(`{"type":"command_lifecycle","command_uuid":"${first}","state":"started"}\n${INIT}\n`);
  chat.run.write(canUseToolLine("req-1"));
  await nextEvent(chat, "permission_request");
  clock.advance(200_000);
  assert.equal(chat.run.stops, 0, "neither idle nor inactive while the client is asked");
  await test.app.request(`/chat/${chat.id}/permissions/req-1`, authedJson("POST", { behavior: "deny" }));
  chat.run.write(`${RESULT}\n{"type":"command_lifecycle","command_uuid":"${first}","state":"completed"}\n`);
  await nextEvent(chat, "message").then(() => nextEvent(chat, "message"));
  clock.advance(599_999);
  assert.equal(chat.run.stops, 0, "a chat waiting for its next message is not idle");
  clock.advance(1);
  assert.equal(chat.run.stops, 1);
  const events = await chat.stream.rest();
  const error = events.find((event) => event.event === "error");
  assert.equal(JSON.parse(error!.data).reason, "inactive");
  assert.equal(JSON.parse(events.at(-1)!.data).stop_reason, "inactive");
});

Deno.test("a chat that does not ask its client refuses answers with a 409, and an answer that mixes allow and deny is a 422", async () => {
  const test = buildTestApp();
  const chat = await openChat(test, INTERACTIVE);
  const refused = await test.app.request(
    `/chat/${chat.id}/permissions/r1`,
    authedJson("POST", { behavior: "allow" }),
  );
  assert.deepEqual(await errorOf(refused), { status: 409, code: "permissions_not_asked", fields: [] });
  const mixed = await test.app.request(
    `/chat/${chat.id}/permissions/r1`,
    authedJson("POST", { behavior: "allow", message: "no" }),
  );
  assert.deepEqual(await errorOf(mixed), { status: 422, code: "validation_error", fields: ["message"] });
  await chat.finish();
});

Deno.test("POST /chat/{id}/interrupt stops the turn through the control protocol and keeps the chat open", async () => {
  const test = buildTestApp();
  const chat = await openChat(test, INTERACTIVE);
  chat.run.write(`${INIT}\n`);
  // The CLI's answer comes through its stdout, behind its other lines: it arrives as the stream is read.
  const pending = test.app.request(`/chat/${chat.id}/interrupt`, authedJson("POST", { cancel_queued: true }));
  assert.equal((await nextEvent(chat, "message")).data, INIT);
  const result = await nextEvent(chat, "message");
  assert.equal(result.data, '{"type":"result","subtype":"error_during_execution"}');
  const response = await pending;
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), { process_id: chat.id, still_queued: [], cancelled: [] });
  const interrupt = chat.run.sentLines.at(-1) as { type: string; request: object };
  assert.equal(interrupt.type, "control_request");
  assert.deepEqual(interrupt.request, { subtype: "interrupt", cancel_queued: true });
  assert.equal(chat.run.stops, 0);
  const next = await test.app.request(`/chat/${chat.id}/messages`, authedJson("POST", { prompt: "go on" }));
  assert.equal(next.status, 202, "the chat takes the next message");
  const events = await chat.finish();
  assert.ok(!chat.stream.raw.includes("control_response"), "the CLI's answer is not on the stream");
  assert.equal(JSON.parse(events.at(-1)!.data).cancelled, false);
});

Deno.test("POST /chat/{id}/interrupt takes no body as curl -X POST sends none: an empty stream, no Content-Type", async () => {
  const test = buildTestApp();
  const chat = await openChat(test, INTERACTIVE);
  const empty = () => new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
  const bare = { method: "POST", headers: AUTH, body: empty(), duplex: "half" } as RequestInit;
  const response = await test.app.request(`/chat/${chat.id}/interrupt`, bare);
  assert.equal(response.status, 200, await response.clone().text());
  assert.deepEqual((chat.run.sentLines.at(-1) as { request: object }).request, { subtype: "interrupt" });
  const typed = { method: "POST", headers: { ...AUTH, "Content-Type": "text/plain" }, body: "{}" };
  assert.equal((await errorOf(await test.app.request(`/chat/${chat.id}/interrupt`, typed))).status, 415);
  const unlabelled = { method: "POST", headers: AUTH, body: new Blob(['{"cancel_queued":true}']) };
  const refused = await errorOf(await test.app.request(`/chat/${chat.id}/interrupt`, unlabelled));
  assert.deepEqual(refused, { status: 415, code: "unsupported_media_type", fields: [] });
  await chat.finish();
});

Deno.test("PATCH /chat/{id} changes the mode through the control protocol, within ALLOWED_PERMISSION_MODES", async () => {
  const policy = {
    allowedRoots: null,
    allowedPermissionModes: ["acceptEdits" as const, "plan" as const],
    deniedFields: null,
  };
  const test = buildTestApp({ startChat: { policy } });
  const chat = await openChat(test, INTERACTIVE);
  answerControls(chat.run);
  const changed = await test.app.request(
    `/chat/${chat.id}`,
    authedJson("PATCH", { permission_mode: "plan" }),
  );
  assert.equal(changed.status, 200);
  assert.deepEqual(await changed.json(), { permission_mode: "plan" });
  assert.deepEqual((chat.run.sentLines.at(-1) as { request: object }).request, {
    subtype: "set_permission_mode",
    mode: "plan",
  });
  const sent = chat.run.sent.length;
  const forbidden = await test.app.request(
    `/chat/${chat.id}`,
    authedJson("PATCH", { permission_mode: "bypassPermissions", model: "haiku" }),
  );
  assert.deepEqual(await errorOf(forbidden), { status: 403, code: "forbidden", fields: ["permission_mode"] });
  assert.equal(chat.run.sent.length, sent, "nothing reached the CLI, not even the model");
  answerControls(chat.run, "Cannot set permission mode");
  const refused = await test.app.request(
    `/chat/${chat.id}`,
    authedJson("PATCH", { permission_mode: "acceptEdits" }),
  );
  assert.deepEqual(await errorOf(refused), { status: 409, code: "cli_refused", fields: [] });
  await chat.finish();
});

Deno.test("a chat that is not interactive streams exactly the CLI's lines, even when DELETE ends it through the protocol", async () => {
  const test = buildTestApp();
  const chat = await openChat(test, CHAT);
  chat.run.write(`${INIT}\n${ASSISTANT}\n`);
  await nextEvent(chat, "message");
  const deleted = await test.app.request(`/chat/${chat.id}`, authedJson("DELETE"));
  assert.equal(deleted.status, 200);
  const events = await chat.stream.rest();
  assert.equal(chat.run.stops, 1, "SIGINT once the turn has ended");
  assert.equal(chat.run.kills, 0);
  const messages = parseSse(chat.stream.raw).filter((event) => event.event === "message").map((event) =>
    event.data
  );
  assert.deepEqual(messages, [INIT, ASSISTANT, '{"type":"result","subtype":"error_during_execution"}']);
  assert.deepEqual(parseSse(chat.stream.raw).map((event) => event.event), [
    "message",
    "message",
    "message",
    "done",
  ]);
  assert.equal(JSON.parse(events.at(-1)!.data).stop_reason, "cancelled");
});

Deno.test("a chat that is not interactive closes the CLI's input after its answer and streams each line as printed", async () => {
  const test = buildTestApp();
  const chat = await openChat(test, CHAT);
  chat.run.write(`${INIT}\n${ASSISTANT}\n${RESULT}\n`);
  await nextEvent(chat, "message").then(() => nextEvent(chat, "message")).then(() =>
    nextEvent(chat, "message")
  );
  assert.equal(chat.run.inputEnded, true);
  assert.equal(chat.run.sentLines.length, 1);
  await chat.finish();
  const messages = parseSse(chat.stream.raw).filter((event) => event.event === "message").map((event) =>
    event.data
  );
  assert.deepEqual(messages, [INIT, ASSISTANT, RESULT]);
});

Deno.test("a broken image is a 422 naming it: on POST /chat no CLI starts; on a follow-up the chat goes on", async () => {
  const test = buildTestApp();
  const images = [{ media_type: "image/png", data: PNG }, { media_type: "image/jpeg", data: PNG }];
  const refused = await test.app.request("/chat", chatRequest({ ...INTERACTIVE, images }));
  const error = await errorOf(refused);
  assert.deepEqual(error, { status: 422, code: "validation_error", fields: ["images[1].media_type"] });
  assert.equal(test.runner.runs.length, 0);

  const chat = await openChat(test, INTERACTIVE);
  const broken = await test.app.request(
    `/chat/${chat.id}/messages`,
    authedJson("POST", { prompt: "look", images: [{ media_type: "image/png", data: "not base64" }] }),
  );
  const body: ErrorJson = await broken.json();
  assert.equal(broken.status, 422);
  assert.deepEqual(body.error.details?.map((detail) => detail.field), ["images[0].data"]);
  assert.match(body.error.message, /images\[0\]\.data is not valid base64/);
  const unknownType = await test.app.request(
    `/chat/${chat.id}/messages`,
    authedJson("POST", { prompt: "look", images: [{ media_type: "image/bmp", data: PNG }] }),
  );
  assert.equal(unknownType.status, 422);
  assert.equal(chat.run.sentLines.length, 1, "nothing was written to the CLI");
  const fine = await test.app.request(
    `/chat/${chat.id}/messages`,
    authedJson("POST", { prompt: "look", images: [images[0]] }),
  );
  assert.equal(fine.status, 202);
  assert.equal(chat.run.sentLines.length, 2);
  await chat.finish();
});

Deno.test("GET /processes tells an interactive chat's turn apart from its wait for the next message", async () => {
  const test = buildTestApp();
  const chat = await openChat(test, INTERACTIVE);
  const first = (chat.run.sentLines[0] as { uuid: string }).uuid;
  const view = async () =>
    (await (await test.app.request("/processes", { headers: AUTH })).json()).processes[0];
  assert.equal((await view()).turn_running, true);
  chat.run.write(
    `{"type":"command_lifecycle","command_uuid":"${first}","state":"started"}\n${INIT}\n${RESULT}\n`,
  );
  chat.run.write(`{"type":"command_lifecycle","command_uuid":"${first}","state":"completed"}\n`);
  for (let i = 0; i < 4; i++) await nextEvent(chat, "message");
  assert.deepEqual(
    { interactive: (await view()).interactive, turn_running: (await view()).turn_running },
    { interactive: true, turn_running: false },
  );
  await test.app.request(`/chat/${chat.id}/messages`, authedJson("POST", { prompt: "more" }));
  assert.equal((await view()).turn_running, true);
  await chat.finish();
});
