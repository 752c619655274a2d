/**
 * The gateway end to end, request fields (other half): MCP servers, debug logs, settings and hooks,
 * sessions, budget, partial messages, betas and plugins each reach the REAL `claude` CLI and show in what it
 * sends, prints or saves.
 *
 * Run: `deno test --allow-all tests/e2e/session_fields_e2e_test.ts`
 */

import assert from "node:assert/strict";
import { type Json, linesOf } from "./chat_lines.ts";
import type { ChatOutcome } from "./chat_outcome.ts";
import { exists, transcripts } from "./claude_home.ts";
import { reply } from "./fake_messages_api.ts";
import { type FieldCheck, fieldScenario } from "./field_runner.ts";
import { newMarker } from "./gateway_harness.ts";
import { gatewayTest } from "./gateway_scenarios.ts";

const SETTINGS_SESSION_AND_OUTPUT_FIELDS: Record<string, FieldCheck> = {
  "mcp_config (file or JSON) adds servers; strict_mcp_config drops the others": async (
    { gateway, run },
  ) => {
    // A project server in the cwd, and nothing listening on port 9: servers fail fast.
    const project = await gateway.newCwd("mcp");
    const server = (name: string) => ({
      mcpServers: { [name]: { type: "http", url: "http://127.0.0.1:9/mcp" } },
    });
    await Deno.writeTextFile(`${project}/.mcp.json`, JSON.stringify(server("e2eProject")));
    const file = `${gateway.root}/mcp-file.json`;
    await Deno.writeTextFile(file, JSON.stringify(server("e2eFromFile")));
    const names = (outcome: ChatOutcome) =>
      (outcome.init.mcp_servers as { name: string }[]).map((server) => server.name).sort();
    const loose = await run("mcp", { mcp_config: [file, JSON.stringify(server("e2eInline"))] }, {
      cwd: project,
    });
    assert.deepEqual(names(loose.outcome), ["e2eFromFile", "e2eInline", "e2eProject"]);
    const strict = await run("strict", {
      mcp_config: [JSON.stringify(server("e2eInline"))],
      strict_mcp_config: true,
    }, { cwd: project });
    assert.deepEqual(names(strict.outcome), ["e2eInline"]);
  },

  "debug writes the CLI's debug log under HOME": async ({ gateway, run, baseline }) => {
    const debugLog = (outcome: ChatOutcome) => `${gateway.home}/.claude/debug/${outcome.init.session_id}.txt`;
    assert.ok(!(await exists(debugLog(baseline.outcome))), "no debug log without debug");
    const on = await run("debug", { debug: true });
    const full = (await Deno.readTextFile(debugLog(on.outcome))).split("\n").filter((line) => line !== "");
    assert.ok(full.some((line) => !/hook/i.test(line)), "an unfiltered log has every category");
    // A category filter keeps only its lines (a category with no line in a -p run writes no file at all).
    const filtered = await run("debughooks", { debug: "hooks" });
    const lines = (await Deno.readTextFile(debugLog(filtered.outcome))).split("\n").filter((line) =>
      line !== ""
    );
    assert.ok(lines.length > 0 && lines.every((line) => /hook/i.test(line)), lines.join("\n"));
  },

  "settings (object) applies its permission rules": async ({ run }) => {
    const { request, outcome } = await run("settings", { settings: { permissions: { deny: ["Bash"] } } });
    assert.ok(!request.toolNames.includes("Bash"), request.toolNames.join());
    assert.ok(!(outcome.init.tools as string[]).includes("Bash"));
  },

  "include_hook_events streams hook lines (settings given as a file path)": async ({ gateway, run }) => {
    const hooks = { hooks: { UserPromptSubmit: [{ hooks: [{ type: "command", command: "true" }] }] } };
    const file = `${gateway.root}/hook-settings.json`;
    await Deno.writeTextFile(file, JSON.stringify(hooks));
    const quiet = await run("nohooks", { settings: file });
    assert.deepEqual(linesOf(quiet.outcome, "system", "hook_started"), []);
    const loud = await run("hooks", { settings: file, include_hook_events: true });
    const started = linesOf(loud.outcome, "system", "hook_started");
    const responses = linesOf(loud.outcome, "system", "hook_response");
    assert.ok(
      started.some((line) => line.hook_event === "UserPromptSubmit"),
      loud.outcome.raw.slice(0, 2000),
    );
    assert.ok(responses.some((line) => line.hook_event === "UserPromptSubmit" && line.exit_code === 0));
  },

  "setting_sources limits where settings come from": async ({ gateway, run }) => {
    const project = await gateway.newCwd("sources");
    await Deno.mkdir(`${project}/.claude`);
    await Deno.writeTextFile(
      `${project}/.claude/settings.json`,
      JSON.stringify({ permissions: { deny: ["Bash"] } }),
    );
    const all = await run("allsources", {}, { cwd: project });
    assert.ok(!all.request.toolNames.includes("Bash"), "the project settings deny Bash");
    const userOnly = await run("usersource", { setting_sources: ["user"] }, { cwd: project });
    assert.ok(userOnly.request.toolNames.includes("Bash"), "without project settings Bash is back");
  },

  "fork_session continues under a new session id": async ({ gateway, run }) => {
    const first = await run("forkbase", {});
    const original = first.outcome.init.session_id as string;
    const fork = await run("fork", { session_id: original, fork_session: true });
    const forked = fork.outcome.init.session_id as string;
    assert.notEqual(forked, original);
    assert.equal(fork.outcome.result?.session_id, forked);
    assert.equal(fork.request.headers["x-claude-code-session-id"], forked);
    assert.ok(fork.request.rawBody.includes(first.marker), "the fork carries the earlier turns");
    const saved = await transcripts(gateway.home);
    assert.ok(saved.includes(original) && saved.includes(forked));
  },

  "fork_session: done reports the forked session id": async ({ run }) => {
    const first = await run("forkdone", {});
    const original = first.outcome.init.session_id as string;
    const fork = await run("forkdone2", { session_id: original, fork_session: true });
    assert.notEqual(fork.outcome.init.session_id, original);
    assert.equal(fork.outcome.done.session_id, fork.outcome.init.session_id);
  },

  "effort sets the request's effort": async ({ run, baseline }) => {
    const { request } = await run("effort", { effort: "low" });
    assert.deepEqual(request.body?.output_config, { effort: "low" });
    assert.deepEqual(baseline.request.body?.output_config, { effort: "medium" });
  },

  "max_budget_usd stops a chat over budget": async ({ run }) => {
    const { outcome } = await run("budget", { max_budget_usd: 0.000001 }, { expectSuccess: false });
    assert.equal(outcome.result?.subtype, "error_max_budget_usd", outcome.raw.slice(-2000));
    assert.equal(outcome.error?.exit_code, 1);
    assert.equal(outcome.done.exit_code, 1);
  },

  "include_partial_messages streams stream_event lines": async ({ gateway, cwd, baseline }) => {
    assert.deepEqual(linesOf(baseline.outcome, "stream_event"), []);
    const marker = newMarker("partial");
    gateway.script(marker, () => reply.text("one two three", { chunks: 3 }));
    const outcome = await gateway.chat({
      prompt: `partial ${marker}`,
      cwd,
      include_partial_messages: true,
    });
    gateway.assertSuccess(outcome);
    const deltas = linesOf(outcome, "stream_event")
      .map((line) => line.event as Json)
      .filter((event) => event.type === "content_block_delta")
      .map((event) => (event.delta as Json).text);
    assert.deepEqual(deltas, ["one t", "wo th", "ree"]);
  },

  "betas adds to the anthropic-beta header": async ({ run, baseline }) => {
    const { request } = await run("betas", { betas: ["context-1m-2025-08-07"] });
    assert.ok(request.headers["anthropic-beta"].split(",").includes("context-1m-2025-08-07"));
    assert.ok(!baseline.request.headers["anthropic-beta"].split(",").includes("context-1m-2025-08-07"));
  },

  "name titles the session": async ({ run }) => {
    const { outcome } = await run("name", { name: "e2e session name" });
    const titles = linesOf(outcome, "system", "session_title_changed").map((line) => line.title);
    assert.deepEqual(titles, ["e2e session name"]);
  },

  "no_session_persistence saves nothing; continue resumes the latest saved session": async (
    { gateway, run },
  ) => {
    const project = await gateway.newCwd("continue");
    const saved = await run("saved", {}, { cwd: project });
    const savedId = saved.outcome.init.session_id as string;
    assert.ok((await transcripts(gateway.home)).includes(savedId));
    const unsaved = await run("unsaved", { no_session_persistence: true }, { cwd: project });
    assert.ok(!(await transcripts(gateway.home)).includes(unsaved.outcome.init.session_id as string));
    const continued = await run("continued", { continue: true }, { cwd: project });
    assert.ok(continued.request.rawBody.includes(saved.marker), "the saved chat's turns come back");
    assert.ok(!continued.request.rawBody.includes(unsaved.marker), "the unsaved chat's turns do not");
    assert.equal(continued.outcome.init.session_id, savedId);
  },

  "plugin_dir loads a plugin": async ({ gateway, run }) => {
    const plugin = await gateway.newCwd("plugin");
    await Deno.mkdir(`${plugin}/.claude-plugin`);
    await Deno.writeTextFile(
      `${plugin}/.claude-plugin/plugin.json`,
      JSON.stringify({ name: "e2e-plugin", version: "0.0.1", description: "an empty test plugin" }),
    );
    const { outcome } = await run("plugin", { plugin_dir: [plugin] });
    const plugins = outcome.init.plugins as { name: string; path: string }[];
    assert.ok(
      plugins.some((entry) => entry.name === "e2e-plugin" && entry.path === plugin),
      JSON.stringify(plugins),
    );
  },
};

gatewayTest("request fields about settings, sessions and output reach the real CLI", {
  "every request field lands where it should: MCP, debug, settings, sessions, output": fieldScenario(
    SETTINGS_SESSION_AND_OUTPUT_FIELDS,
  ),
});
