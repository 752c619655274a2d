import assert from "node:assert/strict";
import {
  classifyCliState,
  prepareCliState,
  PRIVATE_CLI_STATE,
  SHARED_CLI_STATE,
} from "../../infrastructure/cli_state.ts";

Deno.test("classifyCliState() shares the sessions' state and the login, hides per-run state, shows the rest read-only", () => {
  const view = classifyCliState([
    "settings.json",
    "projects",
    "shell-snapshots",
    ".credentials.json",
    "agents",
    "session-env",
    "CLAUDE.md",
    "todos",
    "some-future-config",
    "plugins",
  ]);
  assert.deepEqual(view.shared, [".credentials.json", "projects", "todos"]);
  assert.deepEqual(view.readOnly, ["CLAUDE.md", "agents", "plugins", "settings.json", "some-future-config"]);
});

Deno.test("classifyCliState() never makes configuration that carries code or instructions writable", () => {
  const config = [
    "settings.json",
    "settings.local.json",
    "CLAUDE.md",
    "rules",
    "agents",
    "commands",
    "skills",
    "plugins",
    "hooks",
    "output-styles",
    ".config.json",
    "remote-settings.json",
    "agent-memory",
    "local",
  ];
  for (const name of config) {
    assert.ok(!SHARED_CLI_STATE.includes(name) && !PRIVATE_CLI_STATE.includes(name), name);
  }
  assert.deepEqual(classifyCliState(config).readOnly, [...config].sort());
  assert.deepEqual(classifyCliState(config).shared, []);
});

Deno.test("prepareCliState() copies ~/.claude.json into the chat's directory and lists ~/.claude", () => {
  const root = Deno.makeTempDirSync({ prefix: "cc2api-cli-state-" });
  try {
    const home = `${root}/home`;
    Deno.mkdirSync(`${home}/.claude/projects`, { recursive: true });
    Deno.writeTextFileSync(`${home}/.claude/settings.json`, "{}");
    Deno.writeTextFileSync(`${home}/.claude.json`, '{"mcpServers":{}}');
    Deno.mkdirSync(`${root}/chat`);
    const view = prepareCliState(home, `${root}/chat`);
    assert.equal(view.dir, `${root}/chat/cli-state/.claude`);
    assert.deepEqual([...Deno.readDirSync(view.dir)], [], "the private ~/.claude starts empty");
    assert.equal(Deno.readTextFileSync(view.config), '{"mcpServers":{}}');
    assert.deepEqual(view.shared, ["projects"]);
    assert.deepEqual(view.readOnly, ["settings.json"]);
    // Without a real ~/.claude.json the copy is an empty configuration.
    Deno.removeSync(`${home}/.claude.json`);
    Deno.mkdirSync(`${root}/chat2`);
    assert.equal(Deno.readTextFileSync(prepareCliState(home, `${root}/chat2`).config), "{}");
  } finally {
    Deno.removeSync(root, { recursive: true });
  }
});
