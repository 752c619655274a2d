/**
 * The gateway end to end, request fields (one half): model, prompts, tools, permissions, agents and
 * directories each reach the REAL `claude` CLI and show in what it sends or prints.
 *
 * Run: `deno test --allow-all tests/e2e/request_fields_e2e_test.ts`
 */

import assert from "node:assert/strict";
import { parseSse } from "../../testkit/sse_client.ts";
import { type Json, messageTexts, systemBlocks } from "./chat_lines.ts";
import { exists } from "./claude_home.ts";
import { reply } from "./fake_messages_api.ts";
import { type FieldCheck, fieldScenario } from "./field_runner.ts";
import { newMarker } from "./gateway_harness.ts";
import { gatewayTest } from "./gateway_scenarios.ts";

const MODEL_PROMPT_AND_TOOL_FIELDS: Record<string, FieldCheck> = {
  "model and fallback_model": async ({ run, baseline }) => {
    const { outcome, request } = await run("model", { model: "haiku", fallback_model: "sonnet" });
    assert.equal(request.model, "claude-haiku-5-5");
    assert.equal(outcome.init.model, "claude-haiku-5-5");
    assert.notEqual(baseline.request.model, request.model);
  },

  "system_prompt replaces the system prompt": async ({ run, baseline }) => {
    const { request } = await run("system", { system_prompt: "You are E2E-REPLACED." });
    const blocks = systemBlocks(request.body);
    assert.equal(blocks.at(-1), "You are E2E-REPLACED.");
    assert.ok(
      !request.system.includes(systemBlocks(baseline.request.body).at(-1)!.slice(0, 200)),
      "the default prompt is gone",
    );
  },

  "append_system_prompt extends the default system prompt": async ({ run, baseline }) => {
    const { request } = await run("append", { append_system_prompt: "E2E-APPENDED" });
    const last = systemBlocks(request.body).at(-1)!;
    assert.ok(last.endsWith("\n\nE2E-APPENDED"));
    assert.ok(
      last.startsWith(systemBlocks(baseline.request.body).at(-1)!.slice(0, 200)),
      "the default prompt stays",
    );
  },

  "tools chooses the tools ([] for none)": async ({ run }) => {
    const some = await run("tools", { tools: ["Read"] });
    assert.ok(some.request.toolNames.includes("Read"), some.request.toolNames.join());
    for (const tool of ["Bash", "Write", "Edit"]) assert.ok(!some.request.toolNames.includes(tool), tool);
    assert.deepEqual(some.outcome.init.tools, ["Read"]);
    const none = await run("notools", { tools: [] });
    assert.deepEqual(none.request.toolNames, []);
    assert.deepEqual(none.outcome.init.tools, []);
  },

  "disallowed_tools removes tools": async ({ run, baseline }) => {
    const { request } = await run("disallowed", { disallowed_tools: ["Bash", "Write"] });
    assert.ok(
      baseline.request.toolNames.includes("Bash") && baseline.request.toolNames.includes("Write"),
    );
    assert.ok(
      !request.toolNames.includes("Bash") && !request.toolNames.includes("Write"),
      request.toolNames.join(),
    );
    assert.ok(request.toolNames.includes("Read"));
  },

  "permission_mode and allowed_tools decide whether Write may run": async ({ gateway, cwd }) => {
    /** A chat in default permission mode whose answer writes `<label>.txt` with the Write tool. */
    const writeChat = async (label: string, extra: Json) => {
      const marker = newMarker(label);
      const file = `${cwd}/${label}.txt`;
      gateway.script(
        marker,
        (request) =>
          request.toolResults.length > 0
            ? reply.text("finished")
            : reply.toolUse("Write", { file_path: file, content: "x" }),
      );
      const outcome = await gateway.chat({
        prompt: `write ${marker}`,
        cwd,
        permission_mode: "default",
        ...extra,
      });
      gateway.assertSuccess(outcome);
      return { outcome, file };
    };
    const denied = await writeChat("denied", {});
    assert.equal(denied.outcome.init.permissionMode, "default");
    assert.ok(!(await exists(denied.file)), "default mode without an allow rule denies Write");
    const denials = (denied.outcome.result?.permission_denials ?? []) as Json[];
    assert.ok(denials.some((denial) => denial.tool_name === "Write"), JSON.stringify(denials));

    const allowed = await writeChat("allowed", { allowed_tools: ["Write"] });
    assert.equal(await Deno.readTextFile(allowed.file), "x");
    assert.deepEqual(allowed.outcome.result?.permission_denials, []);
  },

  "json_schema adds the StructuredOutput tool": async ({ gateway, cwd }) => {
    const schema = { type: "object", properties: { name: { type: "string" } }, required: ["name"] };
    const marker = newMarker("schema");
    gateway.script(marker, () => reply.toolUse("StructuredOutput", { name: "Ada" }));
    const outcome = await gateway.chat({ prompt: `name ${marker}`, cwd, json_schema: schema });
    gateway.assertSuccess(outcome);
    const request = gateway.requestFor(marker);
    const tool = (request.body?.tools as Json[]).find((tool) => tool.name === "StructuredOutput");
    assert.ok(tool, request.toolNames.join());
    assert.deepEqual(tool.input_schema, schema);
    assert.deepEqual(outcome.result?.structured_output, { name: "Ada" });
  },

  "agents lists custom agents; agent runs the session as one": async ({ run, baseline }) => {
    const agents = {
      "e2e-reviewer": { description: "Reviews code", prompt: "You are E2E-REVIEWER-PROMPT." },
    };
    const listed = await run("agents", { agents });
    assert.ok((listed.outcome.init.agents as string[]).includes("e2e-reviewer"));
    assert.ok(!(baseline.outcome.init.agents as string[]).includes("e2e-reviewer"));
    assert.ok(!listed.request.system.includes("E2E-REVIEWER-PROMPT"));
    const acting = await run("agent", { agents, agent: "e2e-reviewer" });
    assert.ok(
      acting.request.system.includes("You are E2E-REVIEWER-PROMPT."),
      acting.request.system.slice(0, 500),
    );
  },

  "add_dir and permission_mode show in the init line": async ({ gateway, run }) => {
    const extra = await gateway.newCwd("extra");
    const { outcome } = await run("adddir", { add_dir: [extra], permission_mode: "plan" });
    assert.deepEqual(outcome.init.additional_directories, [extra]);
    assert.equal(outcome.init.permissionMode, "plan");
  },

  "bypassPermissions: as root the CLI refuses it, and the client sees why": async ({ gateway, cwd }) => {
    const body = { prompt: `bypass ${newMarker("bypass")}`, cwd, permission_mode: "bypassPermissions" };
    if (Deno.uid() === 0) {
      // The server's environment has no IS_SANDBOX=1: the CLI exits 1 with its reason on stderr, before
      // any line on stdout.
      const events = parseSse(await (await gateway.post(body)).text());
      assert.deepEqual(events.map((event) => event.event), ["error", "done"]);
      const error = JSON.parse(events[0].data);
      assert.equal(error.exit_code, 1);
      assert.match(error.stderr, /cannot be used with root/);
    } else {
      const outcome = await gateway.chat(body);
      gateway.assertSuccess(outcome);
      assert.equal(outcome.init.permissionMode, "bypassPermissions");
    }
  },

  "disable_slash_commands removes skills and slash commands": async ({ run, baseline }) => {
    assert.ok((baseline.outcome.init.slash_commands as string[]).length > 0);
    assert.ok(baseline.request.toolNames.includes("Skill"));
    const { outcome, request } = await run("noslash", { disable_slash_commands: true });
    assert.deepEqual(outcome.init.slash_commands, []);
    assert.ok(!request.toolNames.includes("Skill"), request.toolNames.join());
  },

  "exclude_dynamic_system_prompt_sections moves per-machine sections out of the system prompt": async (
    { run, baseline },
  ) => {
    assert.ok(baseline.request.system.includes("\n# Memory\n"));
    const { request } = await run("nodynamic", { exclude_dynamic_system_prompt_sections: true });
    assert.ok(!request.system.includes("\n# Memory\n"));
    assert.ok(
      messageTexts(request.messages.slice(0, 1)).includes("# Memory"),
      "it moved to the first user message",
    );
  },
};

gatewayTest("request fields about the model, prompts, tools and permissions reach the real CLI", {
  "every request field lands where it should: model, prompts, tools, permissions, directories": fieldScenario(
    MODEL_PROMPT_AND_TOOL_FIELDS,
  ),
});
