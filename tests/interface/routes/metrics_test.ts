import assert from "node:assert/strict";
import { AUTH, buildTestApp, chatRequest } from "../../support/test_app.ts";

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
