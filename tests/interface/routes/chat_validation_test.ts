import assert from "node:assert/strict";
import { buildTestApp, chatRequest, type ErrorJson } from "../../support/test_app.ts";

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
