import assert from "node:assert/strict";
import { CliUnavailableError } from "../../../domain/errors.ts";
import { parseSse, readSse } from "../../../testkit/sse_client.ts";
import { AUTH, buildTestApp, chatRequest, type ErrorJson } from "../../support/test_app.ts";

Deno.test("POST /chat streams the CLI's lines as SSE message events, then done", async () => {
  const { app, runner } = buildTestApp();
  const responsePromise = app.request("/chat", chatRequest({ prompt: "Hello", cwd: "/tmp" }));
  const run = await runner.nextRun();
  run.write('{"type":"system","subtype":"init","session_id":"abc"}\n{"type":"assistant","message":');
  run.write('{"content":[{"type":"text","text":"h\u00e9"}]}}\n{"type":"result","subtype":"success"}\n');
  run.end();
  const response = await responsePromise;
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("Content-Type"), "text/event-stream; charset=utf-8");
  assert.equal(response.headers.get("Cache-Control"), "no-cache");
  assert.equal(response.headers.get("X-Accel-Buffering"), "no");
  const processId = response.headers.get("X-Process-ID");
  assert.equal(processId, "00000000-0000-4000-8000-000000000002");
  const text = await response.text();
  assert.ok(
    text.startsWith('id: 1\nevent: message\ndata: {"type":"system","subtype":"init","session_id":"abc"}\n\n'),
  );
  const events = parseSse(text);
  assert.deepEqual(events.map((event) => event.event), ["message", "message", "message", "done"]);
  assert.deepEqual(events.map((event) => event.id), ["1", "2", "3", "4"]);
  assert.equal(events[1].data, '{"type":"assistant","message":{"content":[{"type":"text","text":"hé"}]}}');
  const done = JSON.parse(events[3].data);
  assert.equal(done.process_id, processId);
  assert.equal(done.exit_code, 0);
  assert.equal(done.cancelled, false);
});

Deno.test("POST /chat adds an error event with exit code and stderr when the CLI fails", async () => {
  const { app, runner } = buildTestApp();
  const responsePromise = app.request("/chat", chatRequest({ prompt: "x", cwd: "/tmp" }));
  (await runner.nextRun()).end({
    code: 1,
    stderrTail: "Error: --dangerously-skip-permissions cannot be used",
  });
  const events = await readSse(await responsePromise);
  assert.deepEqual(events.map((event) => event.event), ["error", "done"]);
  const error = JSON.parse(events[0].data);
  assert.equal(error.exit_code, 1);
  assert.match(error.stderr, /dangerously-skip-permissions/);
  assert.equal(typeof error.process_id, "string");
});

Deno.test("POST /chat is a 503 JSON, not a stream, when the CLI cannot start", async () => {
  const { app, runner } = buildTestApp();
  runner.failWith = new CliUnavailableError('cannot start the Claude Code CLI "/x/claude": No such file');
  const response = await app.request("/chat", chatRequest({ prompt: "x", cwd: "/tmp" }));
  assert.equal(response.status, 503);
  const body = (await response.json()) as ErrorJson;
  assert.equal(body.error.code, "cli_unavailable");
  assert.match(body.error.message, /\/x\/claude/);
});

Deno.test("a second chat on a session in use is a 409", async () => {
  const { app, runner } = buildTestApp();
  const sessionId = crypto.randomUUID();
  const first = await app.request("/chat", chatRequest({ prompt: "x", cwd: "/tmp", session_id: sessionId }));
  const second = await app.request("/chat", chatRequest({ prompt: "y", cwd: "/tmp", session_id: sessionId }));
  assert.equal(second.status, 409);
  assert.equal(((await second.json()) as ErrorJson).error.code, "session_busy");
  runner.runs[0].end();
  await first.text();
});

Deno.test("a full queue is a 429 with Retry-After; queued chats show in /processes", async () => {
  const { app, runner } = buildTestApp({ maxConcurrent: 1, queueMax: 1 });
  const running = await app.request("/chat", chatRequest({ prompt: "1", cwd: "/tmp" }));
  const queued = await app.request("/chat", chatRequest({ prompt: "2", cwd: "/tmp" }));
  assert.equal(queued.status, 200);
  const refused = await app.request("/chat", chatRequest({ prompt: "3", cwd: "/tmp" }));
  assert.equal(refused.status, 429);
  assert.ok(Number(refused.headers.get("Retry-After")) >= 1);
  assert.equal(((await refused.json()) as ErrorJson).error.code, "capacity_exhausted");
  const list = await (await app.request("/processes", { headers: AUTH })).json();
  assert.deepEqual(list.processes.map((entry: { status: string }) => entry.status), ["running", "queued"]);
  const next = runner.nextRun();
  runner.runs[0].end();
  await running.text();
  (await next).end();
  const events = await readSse(queued);
  assert.equal(events.at(-1)!.event, "done");
});

Deno.test("POST /chat outside the operator's policy is a 403 naming the field and path", async () => {
  const { app } = buildTestApp({
    startChat: {
      policy: {
        allowedRoots: ["/work"],
        allowedPermissionModes: ["acceptEdits", "plan"],
        deniedFields: null,
      },
    },
  });
  const outside = await app.request("/chat", chatRequest({ prompt: "x", cwd: "/tmp" }));
  assert.equal(outside.status, 403);
  const body = (await outside.json()) as ErrorJson;
  assert.equal(body.error.code, "forbidden");
  assert.equal(body.error.details![0].field, "cwd");
  assert.match(body.error.message, /cwd "\/tmp" .*outside the allowed roots: \/work/);
  const mode = await app.request(
    "/chat",
    chatRequest({ prompt: "x", cwd: "/work", permission_mode: "bypassPermissions" }),
  );
  assert.equal(mode.status, 403);
  assert.equal(((await mode.json()) as ErrorJson).error.details![0].field, "permission_mode");
});
