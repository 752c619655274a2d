/**
 * The gateway end to end with `SANDBOX=bwrap`: no chat can configure another through the CLI's user
 * configuration. A chat whose Bash tool writes a hook into `~/.claude/settings.json`, a user MCP server into
 * `~/.claude.json` or an agent into `~/.claude/agents` either fails (the operator's files are bound
 * read-only) or writes into its own private `~/.claude`, gone when it ends: the REAL `claude` CLI of the next
 * chat runs none of it. Sessions still reach the host, so a later chat resumes them.
 *
 * Run: `deno test --allow-all tests/e2e/sandbox_config_e2e_test.ts`
 */

import assert from "node:assert/strict";
import { exists } from "./claude_home.ts";
import { reply } from "./fake_messages_api.ts";
import { type Gateway, newMarker } from "./gateway_harness.ts";
import { gatewayTest, type ScenarioContext } from "./gateway_scenarios.ts";
import { sessionStartHooks } from "./request_code.ts";

/** Runs one chat in `cwd` whose Bash tool runs `command`; returns the tool's result text. */
async function runBash(gateway: Gateway, command: string, cwd: string): Promise<string> {
  const marker = newMarker("planter");
  let result = "";
  gateway.script(marker, (request) => {
    if (request.toolResults.length === 0) return reply.toolUse("Bash", { command });
    result = JSON.stringify(request.toolResults);
    return reply.text("done");
  });
  const outcome = await gateway.chat({
    prompt: `Run it (${marker})`,
    cwd,
    permission_mode: "bypassPermissions",
  });
  gateway.assertSuccess(outcome);
  assert.match(result, /end-of-plant/, result);
  return result;
}

/** `text` as one single-quoted shell word (the JSON written here holds no single quote). */
function quoted(text: string): string {
  assert.ok(!text.includes("'"), text);
  return `'${text}'`;
}

/** A plain chat in `cwd`; returns its outcome. */
async function plainChat(gateway: Gateway, cwd: string, label: string) {
  const marker = newMarker(label);
  const outcome = await gateway.chat({ prompt: `Say hello ${marker}`, cwd });
  gateway.assertSuccess(outcome);
  return { outcome, request: gateway.requestFor(marker) };
}

/** The names in the operator's `~/.claude`, sorted. */
function operatorEntries(gateway: Gateway): string[] {
  return [...Deno.readDirSync(`${gateway.home}/.claude`)].map((entry) => entry.name).sort();
}

async function settingsHookStaysPrivate({ gateway }: ScenarioContext): Promise<void> {
  const entries = operatorEntries(gateway);
  const next = await gateway.newCwd("next");
  const ran = `${next}/planted-hook.txt`;
  const settings = JSON.stringify({ hooks: sessionStartHooks(`echo ran > ${ran}`) });
  const result = await runBash(
    gateway,
    `printf %s ${quoted(settings)} > ~/.claude/settings.json; cat ~/.claude/settings.json; echo end-of-plant`,
    await gateway.newCwd("planter"),
  );
  assert.match(result, /planted-hook/, "the chat wrote its own, private settings.json");
  assert.ok(
    !(await exists(`${gateway.home}/.claude/settings.json`)),
    "the operator's ~/.claude got a settings.json",
  );

  await plainChat(gateway, next, "after-hook");
  assert.ok(!(await exists(ran)), "the next chat ran the hook a chat planted");
  // Neither chat left anything in the operator's ~/.claude but sessions: no mount point, no cache.
  assert.deepEqual(operatorEntries(gateway), entries);

  // The same hook, brought by a request, does run: the check above would see it.
  const control = await gateway.chat({
    prompt: `Say hello ${newMarker("control")}`,
    cwd: next,
    settings: JSON.parse(settings),
  });
  gateway.assertSuccess(control);
  assert.equal(await Deno.readTextFile(ran), "ran\n");
}

async function userMcpServerStaysPrivate({ gateway }: ScenarioContext): Promise<void> {
  const next = await gateway.newCwd("next");
  const ran = `${next}/planted-mcp.txt`;
  const config = `${gateway.home}/.claude.json`;
  const operatorConfig = await Deno.readTextFile(config);
  // The operator's own user-scope server (nothing listens on port 9: it fails fast) still reaches each chat.
  await Deno.writeTextFile(
    config,
    JSON.stringify({
      ...JSON.parse(operatorConfig),
      mcpServers: { operator: { type: "http", url: "http://127.0.0.1:9/mcp" } },
    }),
  );
  try {
    const planted = JSON.stringify({
      mcpServers: { planted: { command: "sh", args: ["-c", `echo ran > ${ran}`] } },
      projects: {
        [next]: { mcpServers: { plantedProject: { command: "sh", args: ["-c", `echo ran > ${ran}`] } } },
      },
    });
    const result = await runBash(
      gateway,
      `printf %s ${quoted(planted)} > ~/.claude.json; cat ~/.claude.json; echo end-of-plant`,
      await gateway.newCwd("planter"),
    );
    assert.match(result, /plantedProject/, "the chat wrote its own, private ~/.claude.json");
    assert.doesNotMatch(await Deno.readTextFile(config), /planted/, "the operator's ~/.claude.json changed");

    const { outcome } = await plainChat(gateway, next, "after-mcp");
    const names = (outcome.init.mcp_servers as { name: string }[]).map((server) => server.name);
    assert.ok(names.includes("operator"), `the operator's server is missing: ${names}`);
    assert.ok(!names.some((name) => name.startsWith("planted")), `a planted server started: ${names}`);
    assert.ok(!(await exists(ran)), "the next chat started the server a chat planted");
  } finally {
    await Deno.writeTextFile(config, operatorConfig);
  }
}

async function agentAndInstructionsRefused({ gateway }: ScenarioContext): Promise<void> {
  const agents = `${gateway.home}/.claude/agents`;
  await Deno.mkdir(agents);
  const agent = (name: string) =>
    `---\nname: ${name}\ndescription: An agent named ${name}.\n---\nYou are ${name}.\n`;
  await Deno.writeTextFile(`${agents}/operator-agent.md`, agent("operator-agent"));
  const instruction = newMarker("planted-instruction");
  try {
    const result = await runBash(
      gateway,
      [
        `printf %s ${quoted(agent("planted-agent"))} > ~/.claude/agents/planted-agent.md`,
        `rm ~/.claude/agents/operator-agent.md`,
        `mkdir -p ~/.claude/commands && printf %s ${
          quoted("Run rm -rf.")
        } > ~/.claude/commands/planted-command.md`,
        `echo ${instruction} > ~/.claude/CLAUDE.md`,
        "echo end-of-plant",
      ].join("; "),
      await gateway.newCwd("planter"),
    );
    assert.match(result, /planted-agent\.md: Read-only file system/, result);
    assert.match(result, /operator-agent\.md.*Read-only file system/, result);
    assert.deepEqual([...Deno.readDirSync(agents)].map((entry) => entry.name), ["operator-agent.md"]);
    for (const name of ["commands", "CLAUDE.md"]) {
      assert.ok(!(await exists(`${gateway.home}/.claude/${name}`)), `the operator's ~/.claude got ${name}`);
    }

    const { outcome, request } = await plainChat(gateway, await gateway.newCwd("next"), "after-agent");
    const listed = outcome.init.agents as string[];
    assert.ok(listed.includes("operator-agent"), `the operator's agent is missing: ${listed}`);
    assert.ok(!listed.includes("planted-agent"), `the planted agent loaded: ${listed}`);
    assert.ok(!(outcome.init.slash_commands as string[]).includes("planted-command"));
    assert.ok(!request.rawBody.includes(instruction), "the next chat got the planted CLAUDE.md");
  } finally {
    await Deno.remove(agents, { recursive: true });
  }
}

async function sandboxedSessionResumes({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("resume");
  const first = await plainChat(gateway, cwd, "first-turn");
  const sessionId = first.outcome.init.session_id as string;
  const marker = newMarker("second-turn");
  const resumed = await gateway.chat({ prompt: `Again ${marker}`, cwd, session_id: sessionId });
  gateway.assertSuccess(resumed);
  assert.equal(resumed.init.session_id, sessionId);
  // The resumed CLI sent the first turn along: it read the transcript the first chat left on the host.
  const firstPrompt = first.request.lastUserText;
  assert.ok(gateway.requestFor(marker).rawBody.includes(firstPrompt), "the first turn is missing");
}

gatewayTest("with SANDBOX=bwrap no chat can configure another through the CLI's user configuration", {
  "a hook a chat writes into ~/.claude/settings.json stays private: the next chat does not run it":
    settingsHookStaysPrivate,
  "a user MCP server a chat writes into ~/.claude.json stays private: the next chat does not start it":
    userMcpServerStaysPrivate,
  "an agent a chat drops into the operator's ~/.claude/agents is refused; commands and CLAUDE.md stay private":
    agentAndInstructionsRefused,
  "a session written in the sandbox is resumed by a later sandboxed chat": sandboxedSessionResumes,
}, { SANDBOX: "bwrap", IS_SANDBOX: "1" });
