import assert from "node:assert/strict";
import { createConsoleLogger } from "../../infrastructure/console_logger.ts";
import { CliUnavailableError } from "../../domain/errors.ts";
import { parseSse, readSse, SseReader } from "../../testkit/sse_client.ts";
import { AUTH, buildTestApp, chatRequest } from "../support/test_app.ts";

interface ErrorJson {
  error: { code: string; message: string; details?: { field: string; message: string }[] };
}

Deno.test("GET /health needs no auth and reports the CLI", async () => {
  const { app } = buildTestApp();
  const response = await app.request("/health");
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    status: "ok",
    claude_path: "/usr/bin/claude",
    claude_version: "2.1.328 (Claude Code)",
  });
});

Deno.test("GET /health is a 503 when the CLI is unavailable", async () => {
  const { app } = buildTestApp({
    app: { health: () => Promise.resolve({ status: "error", claude_path: null, error: "not found" }) },
  });
  const response = await app.request("/health");
  assert.equal(response.status, 503);
  assert.deepEqual(await response.json(), { status: "error", claude_path: null, error: "not found" });
});

Deno.test("every endpoint but /health needs Basic Auth", async () => {
  const { app } = buildTestApp();
  const attempts: [string, string][] = [
    ["POST", "/chat"],
    ["DELETE", "/chat/00000000-0000-4000-8000-000000000001"],
    ["GET", "/processes"],
    ["GET", "/metrics"],
  ];
  for (const [method, path] of attempts) {
    const response = await app.request(path, { method });
    assert.equal(response.status, 401, `${method} ${path}`);
    assert.match(response.headers.get("WWW-Authenticate") ?? "", /^Basic realm=/);
    assert.equal(((await response.json()) as ErrorJson).error.code, "unauthorized");
  }
  const wrong = await app.request("/processes", {
    headers: { Authorization: `Basic ${btoa("admin:nope")}` },
  });
  assert.equal(wrong.status, 401);
  const garbage = await app.request("/processes", { headers: { Authorization: "Basic !!!" } });
  assert.equal(garbage.status, 401);
  const ok = await app.request("/processes", { headers: AUTH });
  assert.equal(ok.status, 200);
});

Deno.test("repeated failed logins from one address get 429 without affecting another address", async () => {
  const { app } = buildTestApp();
  const bad = { Authorization: `Basic ${btoa("admin:guess")}` };
  const from = (hostname: string) => ({ remoteAddr: { hostname } });
  for (let i = 0; i < 3; i++) {
    assert.equal((await app.request("/processes", { headers: bad }, from("10.0.0.1"))).status, 401);
  }
  const throttled = await app.request("/processes", { headers: AUTH }, from("10.0.0.1"));
  assert.equal(throttled.status, 429);
  assert.ok(Number(throttled.headers.get("Retry-After")) >= 1);
  assert.equal(((await throttled.json()) as ErrorJson).error.code, "too_many_auth_failures");
  assert.equal((await app.request("/processes", { headers: AUTH }, from("10.0.0.2"))).status, 200);
});

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
    text.startsWith('event: message\ndata: {"type":"system","subtype":"init","session_id":"abc"}\n\n'),
  );
  const events = parseSse(text);
  assert.deepEqual(events.map((event) => event.event), ["message", "message", "message", "done"]);
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

Deno.test("POST /chat validation: every bad field is listed with its value", async () => {
  const { app } = buildTestApp();
  const response = await app.request(
    "/chat",
    chatRequest({
      prompt: "",
      cwd: "relative/dir",
      session_id: "not-a-uuid",
      permission_mode: "yolo",
      tools: "Read",
      max_budget_usd: -1,
      model: "a\u0000b",
      surprise: true,
    }),
  );
  assert.equal(response.status, 422);
  const body = (await response.json()) as ErrorJson;
  assert.equal(body.error.code, "validation_error");
  const byField = Object.fromEntries(body.error.details!.map((detail) => [detail.field, detail.message]));
  assert.deepEqual(Object.keys(byField).sort(), [
    "cwd",
    "max_budget_usd",
    "model",
    "permission_mode",
    "prompt",
    "session_id",
    "surprise",
    "tools",
  ]);
  assert.match(byField.cwd, /"relative\/dir".*absolute/);
  assert.match(byField.session_id, /"not-a-uuid"/);
  assert.match(byField.permission_mode, /"yolo"/);
  assert.match(byField.model, /NUL/);
  assert.equal(byField.surprise, 'unknown field "surprise"');
});

Deno.test("POST /chat: missing required fields and conflicting options are 422", async () => {
  const { app } = buildTestApp();
  const missing = (await (await app.request("/chat", chatRequest({}))).json()) as ErrorJson;
  assert.deepEqual(missing.error.details!.map((detail) => detail.message).sort(), [
    "cwd is required",
    "prompt is required",
  ]);
  const conflict = await app.request(
    "/chat",
    chatRequest({ prompt: "x", cwd: "/tmp", continue: true, session_id: crypto.randomUUID() }),
  );
  assert.equal(conflict.status, 422);
  const fork = await app.request("/chat", chatRequest({ prompt: "x", cwd: "/tmp", fork_session: true }));
  assert.equal(fork.status, 422);
  assert.match(((await fork.json()) as ErrorJson).error.message, /fork_session/);
});

Deno.test("POST /chat: a cwd that does not exist is a 422 naming it", async () => {
  const { app } = buildTestApp();
  const response = await app.request("/chat", chatRequest({ prompt: "x", cwd: "/does/not/exist" }));
  assert.equal(response.status, 422);
  const body = (await response.json()) as ErrorJson;
  assert.deepEqual(body.error.details, [{ field: "cwd", message: 'cwd "/does/not/exist" does not exist' }]);
});

Deno.test("POST /chat: malformed JSON is 400, a non-object body is 400, an oversized body is 413", async () => {
  const { app } = buildTestApp();
  const malformed = await app.request("/chat", chatRequest("{not json"));
  assert.equal(malformed.status, 400);
  assert.equal(((await malformed.json()) as ErrorJson).error.code, "invalid_json");
  const empty = await app.request("/chat", chatRequest(""));
  assert.equal(empty.status, 400);
  const array = await app.request("/chat", chatRequest([1, 2]));
  assert.equal(array.status, 400);
  const big = await app.request("/chat", chatRequest({ prompt: "x".repeat(70_000), cwd: "/tmp" }));
  assert.equal(big.status, 413);
  assert.equal(((await big.json()) as ErrorJson).error.code, "payload_too_large");
  // Without Content-Length (a chunked upload) the limit holds while reading.
  const stream = new ReadableStream({
    pull(controller) {
      controller.enqueue(new TextEncoder().encode(" ".repeat(16 * 1024)));
    },
  });
  const chunked = await app.request("/chat", {
    method: "POST",
    headers: { ...AUTH, "Content-Type": "application/json" },
    body: stream,
    duplex: "half",
  } as RequestInit);
  assert.equal(chunked.status, 413);
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

Deno.test("GET /processes lists running chats; DELETE cancels one; the list empties when it ends", async () => {
  const { app, runner } = buildTestApp();
  const sessionId = "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11";
  const response = await app.request(
    "/chat",
    chatRequest({ prompt: "x", cwd: "/work", model: "sonnet", session_id: sessionId }),
  );
  const run = runner.runs[0];
  const reader = new SseReader(response);
  run.write('{"type":"assistant"}\n');
  await reader.next();
  const list = await (await app.request("/processes", { headers: AUTH })).json();
  assert.equal(list.count, 1);
  const [entry] = list.processes;
  assert.equal(entry.process_id, response.headers.get("X-Process-ID"));
  assert.equal(entry.cwd, "/work");
  assert.equal(entry.model, "sonnet");
  assert.equal(entry.session_id, sessionId);
  assert.equal(entry.status, "running");
  assert.match(entry.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  const cancel = await app.request(`/chat/${entry.process_id}`, { method: "DELETE", headers: AUTH });
  assert.equal(cancel.status, 200);
  assert.deepEqual(await cancel.json(), { status: "cancelled", process_id: entry.process_id });
  assert.equal(run.stops, 1);
  const rest = await reader.rest();
  assert.deepEqual(rest.map((event) => event.event), ["message", "done"]);
  assert.equal(JSON.parse(rest[1].data).cancelled, true);
  const after = await (await app.request("/processes", { headers: AUTH })).json();
  assert.deepEqual(after, { processes: [], count: 0 });
});

Deno.test("DELETE /chat/{id} of an unknown process is a 404 JSON", async () => {
  const { app } = buildTestApp();
  const response = await app.request("/chat/11111111-1111-4111-8111-111111111111", {
    method: "DELETE",
    headers: AUTH,
  });
  assert.equal(response.status, 404);
  assert.equal(((await response.json()) as ErrorJson).error.code, "process_not_found");
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

Deno.test("GET /metrics renders Prometheus counters", async () => {
  const { app, runner } = buildTestApp();
  const response = await app.request("/chat", chatRequest({ prompt: "x", cwd: "/tmp" }));
  runner.runs[0].write('{"type":"result","total_cost_usd":0.125}\n');
  runner.runs[0].end();
  await response.text();
  const metrics = await (await app.request("/metrics", { headers: AUTH })).text();
  assert.match(metrics, /^claudecode2api_chats_started_total 1$/m);
  assert.match(metrics, /^claudecode2api_chats_finished_total\{outcome="success"\} 1$/m);
  assert.match(metrics, /^claudecode2api_lines_streamed_total 1$/m);
  assert.match(metrics, /^claudecode2api_cost_usd_total 0.125$/m);
  assert.match(metrics, /^claudecode2api_chat_duration_seconds_count 1$/m);
});

Deno.test("unknown routes are a 404 JSON", async () => {
  const { app } = buildTestApp();
  const response = await app.request("/nope");
  assert.equal(response.status, 404);
  assert.deepEqual(await response.json(), {
    error: { code: "not_found", message: "no route for GET /nope" },
  });
});

Deno.test("an unexpected error is a 500 JSON without a stack trace", async () => {
  const { app } = buildTestApp({
    app: {
      listProcesses: () => {
        throw new Error("secret internals at /srv/x.ts:1");
      },
    },
  });
  const response = await app.request("/processes", { headers: AUTH });
  assert.equal(response.status, 500);
  const text = await response.text();
  assert.doesNotMatch(text, /secret internals/);
  assert.equal(JSON.parse(text).error.code, "internal_error");
});

Deno.test("POST /chat outside the operator's policy is a 403 naming the field and path", async () => {
  const { app } = buildTestApp({
    startChat: { policy: { allowedRoots: ["/work"], allowedPermissionModes: ["acceptEdits", "plan"] } },
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

Deno.test("POST /chat: an option value too large for one CLI argument is a 422 naming the field", async () => {
  const { app } = buildTestApp({ app: { maxBodyBytes: 1024 * 1024 } });
  const response = await app.request(
    "/chat",
    chatRequest({ prompt: "x".repeat(300_000), cwd: "/tmp", system_prompt: "s".repeat(200_000) }),
  );
  assert.equal(response.status, 422);
  const body = (await response.json()) as ErrorJson;
  assert.deepEqual(body.error.details!.map((detail) => detail.field), ["system_prompt"]);
  assert.match(body.error.message, /longer than \d+ bytes/);
});

Deno.test("logs: one line per event with ids, exit code and duration; the prompt only at DEBUG", async () => {
  for (const level of ["INFO", "DEBUG"] as const) {
    const lines: string[] = [];
    const logger = createConsoleLogger(level, (line) => lines.push(line));
    const { app, runner } = buildTestApp({ app: { logger }, startChat: { logger } });
    const response = await app.request("/chat", chatRequest({ prompt: "secret prompt text", cwd: "/tmp" }));
    runner.runs[0].end({ code: 0 });
    await response.text();
    await app.request("/processes", { headers: { Authorization: `Basic ${btoa("admin:wrong")}` } });
    const processId = response.headers.get("X-Process-ID")!;
    const started = lines.find((line) => line.includes('msg="chat started"'));
    const finished = lines.find((line) => line.includes('msg="chat finished"'));
    assert.ok(started?.includes(`process_id=${processId}`) && /request_id=\S+/.test(started), started);
    assert.ok(finished?.includes("exit_code=0") && /duration_ms=\d+/.test(finished), finished);
    assert.ok(lines.some((line) => line.startsWith("level=WARN") && line.includes("login refused")));
    const prompted = lines.filter((line) => line.includes("secret prompt text"));
    if (level === "INFO") assert.deepEqual(prompted, []);
    else assert.ok(prompted.length === 1 && prompted[0].startsWith("level=DEBUG"), prompted.join("\n"));
  }
});

Deno.test("CORS: allowed origins get preflight answers and the X-Process-ID header exposed; others nothing", async () => {
  const { app, runner } = buildTestApp({ app: { corsOrigins: ["https://ui.example.com"] } });
  const preflight = await app.request("/chat", {
    method: "OPTIONS",
    headers: {
      Origin: "https://ui.example.com",
      "Access-Control-Request-Method": "POST",
      "Access-Control-Request-Headers": "authorization,content-type",
    },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers.get("Access-Control-Allow-Origin"), "https://ui.example.com");
  assert.match(preflight.headers.get("Access-Control-Allow-Headers") ?? "", /Authorization/i);
  const response = await app.request(
    "/chat",
    chatRequest({ prompt: "x", cwd: "/tmp" }, { Origin: "https://ui.example.com" }),
  );
  assert.equal(response.headers.get("Access-Control-Allow-Origin"), "https://ui.example.com");
  assert.match(response.headers.get("Access-Control-Expose-Headers") ?? "", /X-Process-ID/);
  runner.runs[0].end();
  await response.text();
  const other = await app.request("/health", { headers: { Origin: "https://evil.example.com" } });
  assert.equal(other.headers.get("Access-Control-Allow-Origin"), null);
  const { app: closed } = buildTestApp();
  const none = await closed.request("/health", { headers: { Origin: "https://ui.example.com" } });
  assert.equal(none.headers.get("Access-Control-Allow-Origin"), null);
});

Deno.test("DELETE cancels a queued chat: its stream ends with done, and its CLI never starts", async () => {
  const { app, runner } = buildTestApp({ maxConcurrent: 1, queueMax: 1 });
  const running = await app.request("/chat", chatRequest({ prompt: "1", cwd: "/tmp" }));
  const queued = await app.request("/chat", chatRequest({ prompt: "2", cwd: "/tmp" }));
  const id = queued.headers.get("X-Process-ID");
  const cancel = await app.request(`/chat/${id}`, { method: "DELETE", headers: AUTH });
  assert.deepEqual(await cancel.json(), { status: "cancelled", process_id: id });
  const events = await readSse(queued);
  assert.deepEqual(events.map((event) => event.event), ["done"]);
  assert.equal(JSON.parse(events[0].data).stop_reason, "cancelled");
  runner.runs[0].end();
  await running.text();
  assert.equal(runner.runs.length, 1);
});
