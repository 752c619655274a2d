import assert from "node:assert/strict";
import { createConsoleLogger } from "../../infrastructure/console_logger.ts";
import { AUTH, buildTestApp, chatRequest, type ErrorJson } from "../support/test_app.ts";

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
