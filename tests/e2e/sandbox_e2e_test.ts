/**
 * The gateway end to end with `SANDBOX=bwrap`: the REAL `claude` CLI runs in a bubblewrap sandbox, where a
 * normal chat works, tools write only inside `cwd`, cannot read the gateway's files or environment, and
 * nothing they start outlives the chat.
 *
 * Run: `deno test --allow-all tests/e2e/sandbox_e2e_test.ts`
 */

import assert from "node:assert/strict";
import { SERVER_PASSWORD } from "../../testkit/server_process.ts";
import { reply } from "./fake_messages_api.ts";
import { type Json, newMarker, waitUntil, within } from "./gateway_harness.ts";
import { gatewayTest, type ScenarioContext } from "./gateway_scenarios.ts";
import type { RecordedRequest } from "./recorded_request.ts";
import { sessionStartHooks, writePluginByChat } from "./request_code.ts";
import { resolveClaudePath } from "./claude_cli.ts";

/** The directory of the gateway's own code (this checkout). */
const GATEWAY_DIR = new URL("../..", import.meta.url).pathname.replace(/\/$/, "");

/**
 * What a chat may see in the hidden gateway directory: nothing but the empty mount points bwrap makes for the
 * CLI's own files when the CLI is installed under it (as `tools/test.sh` installs it, in `.cache/`).
 */
function allowedGatewayEntries(): string[] {
  const cli = Deno.realPathSync(resolveClaudePath());
  return cli.startsWith(`${GATEWAY_DIR}/`) ? [cli.slice(GATEWAY_DIR.length + 1).split("/")[0]] : [];
}

/** Fails unless the listing of the gateway directory a chat made shows only the allowed mount points. */
function assertGatewayHidden(listing: string): void {
  const entries = listing.split(/[\n,]/).map((entry) => entry.trim()).filter((entry) => entry !== "");
  const allowed = allowedGatewayEntries();
  assert.deepEqual(
    entries.filter((entry) => !allowed.includes(entry)),
    [],
    `the gateway directory shows ${listing}`,
  );
}

/** The text of the tool results the CLI sent back. */
function toolResultText(request: RecordedRequest): string {
  return JSON.stringify(request.toolResults);
}

/** Runs one chat whose first answer is a tool call; the second answer ends it. Returns the tool's result. */
async function runTool(
  { gateway }: ScenarioContext,
  tool: { name: string; input: Json },
  cwd: string,
): Promise<string> {
  const marker = newMarker("sandbox");
  let result = "";
  gateway.script(marker, (request) => {
    if (request.toolResults.length === 0) return reply.toolUse(tool.name, tool.input);
    result = toolResultText(request);
    return reply.text("done");
  });
  const outcome = await gateway.chat({
    prompt: `Use the tool (${marker})`,
    cwd,
    permission_mode: "bypassPermissions",
  });
  gateway.assertSuccess(outcome);
  assert.notEqual(result, "", "the CLI sent the tool's result");
  return result;
}

async function normalChat({ gateway }: ScenarioContext): Promise<void> {
  const outcome = await gateway.chat({
    prompt: `Say hello ${newMarker("plain")}`,
    cwd: await gateway.newCwd(),
  });
  gateway.assertSuccess(outcome);
  assert.equal(outcome.init.subtype, "init");
  assert.equal(outcome.done.exit_code, 0);
  assert.equal(outcome.result?.result, "Hello from the fake Messages API.");
  const health = await (await fetch(`${gateway.url}/health`)).json();
  assert.equal(health.sandbox, "bwrap");
}

async function writesOnlyInsideCwd(context: ScenarioContext): Promise<void> {
  const cwd = await context.gateway.newCwd("write");
  const inside = `${cwd}/inside.txt`;
  await runTool(context, { name: "Write", input: { file_path: inside, content: "in" } }, cwd);
  assert.equal(await Deno.readTextFile(inside), "in");

  // On the read-only root: the write fails there, and nothing appears on the host.
  const elsewhere = await Deno.makeTempDir({ dir: "/var/tmp", prefix: "cc2api-sandbox-" });
  try {
    const outside = `${elsewhere}/outside.txt`;
    const result = await runTool(
      context,
      { name: "Write", input: { file_path: outside, content: "out" } },
      cwd,
    );
    assert.match(result, /read-only|EROFS|error/i, result);
    await assert.rejects(Deno.stat(outside), Deno.errors.NotFound);
    // Under /tmp, which is private to the chat: the write lands in the sandbox's own /tmp, not the host's.
    const tmpOutside = `${context.gateway.root}/outside.txt`;
    await runTool(context, { name: "Write", input: { file_path: tmpOutside, content: "out" } }, cwd);
    await assert.rejects(Deno.stat(tmpOutside), Deno.errors.NotFound);
  } finally {
    await Deno.remove(elsewhere, { recursive: true });
  }
}

async function seesNoGatewaySecrets(context: ScenarioContext): Promise<void> {
  const { gateway } = context;
  const serverPid = gateway.server.child.pid;
  const command = [
    `echo "gateway-dir: [$(ls -A ${GATEWAY_DIR} | tr '\\n' ,)]"`,
    `cat ${GATEWAY_DIR}/main.ts ${GATEWAY_DIR}/.env`,
    `cat /proc/${serverPid}/environ`,
    `cat /proc/1/environ`,
    `env`,
    "echo end-of-check",
  ].join("; ");
  const result = await runTool(context, { name: "Bash", input: { command } }, await gateway.newCwd("env"));
  assert.match(result, /end-of-check/, result);
  const listing = /gateway-dir: \[([^\]]*)\]/.exec(result);
  assert.ok(listing, result);
  assertGatewayHidden(listing[1]);
  assert.doesNotMatch(result, new RegExp(SERVER_PASSWORD), "the gateway's password leaked");
  assert.doesNotMatch(result, /composition root|startServer/, "the gateway's code was readable");
}

async function setsidDiesWithChat(context: ScenarioContext): Promise<void> {
  // A sleep of a unique length, to find it among the host's processes.
  const seconds = `3000.${Math.floor(Math.random() * 1e6)}`;
  const command = `setsid -f sleep ${seconds} >/dev/null 2>&1 < /dev/null; echo started`;
  const result = await runTool(
    context,
    { name: "Bash", input: { command } },
    await context.gateway.newCwd("setsid"),
  );
  assert.match(result, /started/, result);
  await waitUntil(() => sleepers(seconds).length === 0, 10_000, `no "sleep ${seconds}" left after the chat`);
}

/** Pids of host processes running `sleep <seconds>`. */
function sleepers(seconds: string): number[] {
  const found: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = Deno.readTextFileSync(`/proc/${entry.name}/cmdline`).split("\0");
      if (cmdline[0].endsWith("sleep") && cmdline[1] === seconds) found.push(Number(entry.name));
    } catch {
      // gone
    }
  }
  return found;
}

/**
 * Runs a chat whose request brings a shell command of its own (`fields` puts `script` where the CLI starts it)
 * and checks that command ran, confined: the gateway hidden, nothing written outside, nothing left behind.
 */
async function requestCodeConfined(
  { gateway }: ScenarioContext,
  label: string,
  fields: (script: string, cwd: string) => Json | Promise<Json>,
  options: { outside?: string[] } = {},
): Promise<void> {
  const cwd = await gateway.newCwd(label);
  const elsewhere = await Deno.makeTempDir({ dir: "/var/tmp", prefix: `cc2api-sandbox-${label}-` });
  const outside = [elsewhere, ...(options.outside ?? [])];
  const seconds = `3001.${Math.floor(Math.random() * 1e6)}`;
  const script = [
    `ls -A ${GATEWAY_DIR} > ${cwd}/gateway-dir.txt 2>&1`,
    `cat /proc/${gateway.server.child.pid}/environ > ${cwd}/gateway-env.txt 2>&1`,
    ...outside.map((dir) => `{ echo out > ${dir}/outside.txt; } 2>> ${cwd}/write.txt`),
    `setsid -f sleep ${seconds} >/dev/null 2>&1 < /dev/null`,
    `echo finished > ${cwd}/finished.txt`,
  ].join("; ");
  try {
    const extra = await fields(script, cwd);
    const outcome = await gateway.chat({ prompt: `Say hello ${newMarker(label)}`, cwd, ...extra });
    gateway.assertSuccess(outcome);
    assert.equal(await Deno.readTextFile(`${cwd}/finished.txt`), "finished\n", `the ${label} command ran`);
    assertGatewayHidden(await Deno.readTextFile(`${cwd}/gateway-dir.txt`));
    assert.match(await Deno.readTextFile(`${cwd}/gateway-env.txt`), /No such file/);
    assert.match(await Deno.readTextFile(`${cwd}/write.txt`), /Read-only file system/);
    for (const dir of outside) {
      await assert.rejects(Deno.stat(`${dir}/outside.txt`), Deno.errors.NotFound, `${dir} was written`);
    }
    await waitUntil(
      () => sleepers(seconds).length === 0,
      10_000,
      `no "sleep ${seconds}" left after the chat`,
    );
  } finally {
    await Deno.remove(elsewhere, { recursive: true });
  }
}

const sessionStartHook = (script: string) => ({ hooks: sessionStartHooks(script) });

/** A stdio MCP server from the request is any command the CLI starts at once: it is confined as well. */
function mcpServerConfined(context: ScenarioContext): Promise<void> {
  return requestCodeConfined(context, "mcp", (script) => ({
    mcp_config: [JSON.stringify({ mcpServers: { probe: { command: "sh", args: ["-c", script] } } })],
  }));
}

/** A SessionStart hook in the request's `settings` runs as the CLI starts: it is confined as well. */
function settingsHookConfined(context: ScenarioContext): Promise<void> {
  return requestCodeConfined(context, "hook", (script) => ({ settings: sessionStartHook(script) }));
}

/** A hook in the repository's own `.claude/settings.json` (a cloned repo can bring one) is confined too. */
function repoHookConfined(context: ScenarioContext): Promise<void> {
  return requestCodeConfined(context, "repo-hook", async (script, cwd) => {
    await Deno.mkdir(`${cwd}/.claude`);
    await Deno.writeTextFile(`${cwd}/.claude/settings.json`, JSON.stringify(sessionStartHook(script)));
    return {};
  });
}

/** An agent from the request, run as the session's agent, brings hooks: they are confined as well. */
function agentHookConfined(context: ScenarioContext): Promise<void> {
  return requestCodeConfined(context, "agent-hook", (script) => ({
    agents: { probe: { description: "probe", prompt: "You probe.", ...sessionStartHook(script) } },
    agent: "probe",
  }));
}

/** An agent from the request brings an MCP server, a command the CLI starts: it is confined as well. */
function agentMcpServerConfined(context: ScenarioContext): Promise<void> {
  return requestCodeConfined(context, "agent-mcp", (script) => ({
    agents: {
      probe: {
        description: "probe",
        prompt: "You probe.",
        mcpServers: [{ probe: { command: "sh", args: ["-c", script] } }],
      },
    },
    agent: "probe",
  }));
}

/**
 * A first chat writes a plugin with a hook into its cwd; a second chat loads it with `plugin_dir`. The hook
 * runs confined to the second chat: it cannot change the plugin (bound read-only) nor the first chat's files.
 */
async function pluginFromChatConfined(context: ScenarioContext): Promise<void> {
  const writer = await context.gateway.newCwd("plugin-writer");
  const plugin = `${writer}/plugin`;
  await requestCodeConfined(context, "plugin", async (script) => ({
    plugin_dir: [await writePluginByChat(context.gateway, writer, script)],
    permission_mode: "plan",
  }), { outside: [writer, plugin] });
}

async function cancelReachesCli({ gateway }: ScenarioContext): Promise<void> {
  // DELETE's SIGINT reaches the CLI inside the sandbox (bwrap passes no signal on): it ends its turn itself.
  const marker = newMarker("cancel");
  gateway.script(marker, () => reply.slowText("x ".repeat(40), 40, 250));
  const response = await gateway.post({
    prompt: `Talk slowly ${marker}`,
    cwd: await gateway.newCwd("cancel"),
  });
  const processId = response.headers.get("X-Process-ID")!;
  const text = response.text();
  await gateway.waitForPrompt(marker);
  // The CLI's SIGINT handler is not installed in its first ~0.2 s.
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal((await gateway.cancel(processId)).status, 200);
  const outcome = gateway.outcome(processId, await within(text, 10_000, "the cancelled stream to end"));
  assert.equal(outcome.error, undefined, "SIGINT ends the CLI with exit 0");
  assert.equal(outcome.done.exit_code, 0);
  assert.equal(outcome.done.stop_reason, "cancelled");
}

gatewayTest("the gateway with SANDBOX=bwrap confines the real CLI", {
  "a normal chat works in the sandbox": normalChat,
  "a Write tool writes inside cwd and not outside it": writesOnlyInsideCwd,
  "a tool cannot read the gateway's files or environment": seesNoGatewaySecrets,
  "a process a tool starts with setsid does not outlive the chat": setsidDiesWithChat,
  "an MCP server from the request writes, reads and leaves nothing outside the sandbox": mcpServerConfined,
  "a SessionStart hook from the request's settings is confined the same way": settingsHookConfined,
  "a hook from the repository's own .claude/settings.json is confined the same way": repoHookConfined,
  "a hook of an agent from the request is confined the same way": agentHookConfined,
  "an MCP server of an agent from the request is confined the same way": agentMcpServerConfined,
  "a plugin's hook, written by one chat and loaded by the next, is confined the same way":
    pluginFromChatConfined,
  "DELETE interrupts a sandboxed CLI gracefully": cancelReachesCli,
}, { SANDBOX: "bwrap", IS_SANDBOX: "1" });
