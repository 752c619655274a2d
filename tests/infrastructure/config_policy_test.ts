import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../infrastructure/config.ts";

const FIELDS = ["prompt", "cwd", "mcp_config", "settings", "agents"];

Deno.test("loadConfig() takes DENIED_FIELDS that name request fields", () => {
  const config = loadConfig({ DENIED_FIELDS: "mcp_config,agents" }, { requestFields: FIELDS });
  assert.deepEqual(config.chat.policy.deniedFields, ["mcp_config", "agents"]);
});

Deno.test("loadConfig() refuses, in one line, a DENIED_FIELDS name that is not a request field", () => {
  assert.throws(
    () => loadConfig({ DENIED_FIELDS: "mcp_config,mcp_servers" }, { requestFields: FIELDS }),
    (error) =>
      error instanceof ConfigError && !error.message.includes("\n") &&
      error.message.includes('DENIED_FIELDS: "mcp_servers" is not a request field'),
  );
});

Deno.test("loadConfig() refuses to deny prompt or cwd, which every request needs", () => {
  for (const field of ["prompt", "cwd"]) {
    assert.throws(
      () => loadConfig({ DENIED_FIELDS: field }, { requestFields: FIELDS }),
      new RegExp(`DENIED_FIELDS: "${field}" is required in every request`),
    );
  }
});

Deno.test("loadConfig() refuses DENIED_FIELDS names that cannot be field names", () => {
  assert.throws(() => loadConfig({ DENIED_FIELDS: "Settings" }), /invalid DENIED_FIELDS="Settings"/);
});
