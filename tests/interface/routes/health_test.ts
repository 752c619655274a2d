import assert from "node:assert/strict";
import { buildTestApp } from "../../support/test_app.ts";

Deno.test("GET /health needs no auth and reports the CLI", async () => {
  const { app } = buildTestApp();
  const response = await app.request("/health");
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    status: "ok",
    claude_path: "/usr/bin/claude",
    claude_version: "2.1.328 (Claude Code)",
    sandbox: "off",
  });
});

Deno.test("GET /health is a 503 when the CLI is unavailable", async () => {
  const { app } = buildTestApp({
    app: {
      health: () =>
        Promise.resolve({ status: "error", claude_path: null, error: "not found", sandbox: "off" }),
    },
  });
  const response = await app.request("/health");
  assert.equal(response.status, 503);
  assert.deepEqual(await response.json(), {
    status: "error",
    claude_path: null,
    error: "not found",
    sandbox: "off",
  });
});
