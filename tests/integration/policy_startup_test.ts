import assert from "node:assert/strict";
import { FAKE_CLI } from "../../testkit/processes.ts";
import {
  MAIN,
  SERVER_AUTH,
  SERVER_PERMISSIONS,
  serverEnv,
  spawnServer,
} from "../../testkit/server_process.ts";

Deno.test("start-up stops with one line when DENIED_FIELDS names no request field", async () => {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...SERVER_PERMISSIONS, MAIN],
    clearEnv: true,
    env: serverEnv({ CLAUDE_PATH: FAKE_CLI, DENIED_FIELDS: "mcp_config,mcp_servers" }),
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr).trim();
  assert.equal(output.code, 2);
  assert.equal(stderr.split("\n").length, 1, stderr);
  assert.match(
    stderr,
    /^claudecode2api: invalid DENIED_FIELDS: "mcp_servers" is not a request field \(prompt, /,
  );
});

Deno.test("a server with roots warns once what they do not confine, and refuses denied fields with a 403", async () => {
  const root = await Deno.makeTempDir({ prefix: "cc2api-policy-" });
  const server = await spawnServer({
    CLAUDE_PATH: FAKE_CLI,
    ALLOWED_CWD_ROOTS: root,
    DENIED_FIELDS: "mcp_config,settings,agents,agent,plugin_dir,setting_sources",
  });
  try {
    const warnings = server.output().split("\n").filter((line) =>
      line.includes("ALLOWED_CWD_ROOTS confines")
    );
    assert.equal(warnings.length, 1, server.output());
    assert.match(warnings[0], /WARN/);
    const mcp = { mcpServers: { x: { command: "sh", args: ["-c", `id>${root}/p`] } } };
    const response = await fetch(`${server.url}/chat`, {
      method: "POST",
      headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
      body: JSON.stringify({ prompt: "x", cwd: root, mcp_config: [JSON.stringify(mcp)] }),
    });
    assert.equal(response.status, 403);
    const body = await response.json();
    assert.equal(body.error.code, "forbidden");
    assert.deepEqual(body.error.details.map((detail: { field: string }) => detail.field), ["mcp_config"]);
    assert.match(body.error.message, /"mcp_config" is not allowed/);
  } finally {
    await server.stop();
    await Deno.remove(root, { recursive: true });
  }
});
