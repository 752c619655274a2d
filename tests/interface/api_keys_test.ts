import assert from "node:assert/strict";
import { API_KEY, AUTH, buildTestApp } from "../support/test_app.ts";

Deno.test("an API key opens the native routes too, as Bearer or x-api-key; Basic Auth still works", async () => {
  const { app } = buildTestApp();
  const ways: Record<string, string>[] = [
    { Authorization: `Bearer ${API_KEY}` },
    { "x-api-key": API_KEY },
    AUTH,
  ];
  for (const headers of ways) {
    const response = await app.request("/processes", { headers });
    assert.equal(response.status, 200, JSON.stringify(headers));
    await response.body?.cancel();
  }
});

Deno.test("a wrong key is a 401 invalid_api_key with a Bearer challenge, and counts as a failed login", async () => {
  const { app } = buildTestApp();
  const wrong = { "x-api-key": "sk-wrong-0123456789abcdef" };
  const first = await app.request("/processes", { headers: wrong });
  assert.equal(first.status, 401);
  assert.match(first.headers.get("WWW-Authenticate") ?? "", /^Bearer /);
  const body = await first.json();
  assert.equal(body.error.code, "invalid_api_key");
  // The test app allows 3 failures per window: the fourth attempt is refused whatever it brings.
  for (let i = 0; i < 2; i++) await (await app.request("/processes", { headers: wrong })).body?.cancel();
  const throttled = await app.request("/processes", { headers: { "x-api-key": API_KEY } });
  assert.equal(throttled.status, 429);
  assert.ok(Number(throttled.headers.get("Retry-After")) > 0);
  await throttled.body?.cancel();
});

Deno.test("without API_KEYS a key is refused, and the message says keys are not enabled", async () => {
  const { app } = buildTestApp({
    app: { auth: { user: "admin", password: "pw", maxFailures: 3, failureWindowMs: 60_000 } },
  });
  const response = await app.request("/metrics", { headers: { Authorization: `Bearer ${API_KEY}` } });
  assert.equal(response.status, 401);
  assert.match((await response.json()).error.message, /API keys are not enabled on this server \(API_KEYS\)/);
});
