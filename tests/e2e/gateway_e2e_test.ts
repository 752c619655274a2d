/**
 * The gateway end to end: the real server (`main.ts` as its own process) runs the REAL `claude` CLI
 * (found through `CLAUDE_PATH` or `PATH`) against a local fake Messages API, and the tests talk to it over
 * real HTTP with a real SSE reader. One gateway and one fake serve every scenario; each scenario is a step
 * that leaves no CLI process behind.
 *
 * Run: `deno test --allow-all tests/e2e/gateway_e2e_test.ts`
 */

import assert from "node:assert/strict";
import { parseSse, SseReader } from "../../testkit/sse_client.ts";
import { reply } from "./fake_messages_api.ts";
import {
  assistantText,
  type ChatOutcome,
  Gateway,
  type Json,
  newMarker,
  sleep,
  userText,
  waitUntil,
  within,
} from "./gateway_harness.ts";

/** The SIGINT handler of the CLI is not installed in its first ~0.2 s; a signal then kills it silently. */
const CLI_SETTLE_MS = 500;

function linesOf(outcome: ChatOutcome, type: string, subtype?: string): Json[] {
  return outcome.lines.filter((line) =>
    line.type === type && (subtype === undefined || line.subtype === subtype)
  );
}

function systemBlocks(body: Record<string, unknown> | undefined): string[] {
  return ((body?.system ?? []) as { text?: string }[]).map((block) => block.text ?? "");
}

function messageTexts(messages: { content: { type: string; text?: string }[] }[]): string {
  return messages.flatMap((message) => message.content.map((block) => block.text ?? "")).join("\n");
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Every `<session>.jsonl` transcript under `home/.claude/projects`. */
async function transcripts(home: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory) await walk(`${dir}/${entry.name}`);
      else if (entry.name.endsWith(".jsonl")) found.push(entry.name.slice(0, -".jsonl".length));
    }
  };
  await walk(`${home}/.claude/projects`).catch(() => {});
  return found;
}

Deno.test("the gateway runs the real claude CLI end to end", async (t) => {
  const gateway = await Gateway.start();
  const timings: { scenario: string; ms: number }[] = [];

  /** One scenario: timed, and followed by the check that no CLI of it remains. */
  const scenario = (
    ctx: Deno.TestContext,
    name: string,
    fn: (ctx: Deno.TestContext) => Promise<void>,
    options: { ignore?: boolean } = {},
  ) =>
    ctx.step({
      name,
      ignore: options.ignore ?? false,
      fn: async (step) => {
        const started = performance.now();
        let passed = false;
        try {
          await fn(step);
          passed = true;
        } finally {
          timings.push({ scenario: name, ms: Math.round(performance.now() - started) });
          // After a failure, still wait for the CLIs to go so the next scenario starts clean.
          if (!passed) await gateway.waitNoCli().catch(() => {});
        }
        await gateway.waitNoCli();
        await gateway.waitNoProcesses();
      },
    });

  try {
    await scenario(
      t,
      "1. a chat streams the CLI's init, assistant and result lines verbatim, then done",
      async () => {
        const cwd = await gateway.newCwd("stream");
        const marker = newMarker("stream");
        const answer = `Привет, ${marker}! "quoted" \\ back\tslash ✓ 🎉 </script>`;
        gateway.script(marker, () => reply.text(answer));
        const prompt = `Say hi (${marker})`;
        const response = await gateway.post({ prompt, cwd });
        assert.equal(response.status, 200);
        assert.match(response.headers.get("Content-Type") ?? "", /^text\/event-stream/);
        const processId = response.headers.get("X-Process-ID");
        assert.match(processId ?? "", /^[0-9a-f-]{36}$/);
        const outcome = gateway.outcome(
          processId!,
          await within(response.text(), 30_000, "the stream to end"),
        );
        gateway.assertSuccess(outcome);

        assert.deepEqual(outcome.lines.map((line) => line.subtype === "init" ? "init" : line.type), [
          "init",
          "assistant",
          "result",
        ]);
        // The stream is exactly `event: message` + `data: <line>` per line, then done: nothing added or reframed.
        const framed = outcome.events.map((event) => `event: ${event.event}\ndata: ${event.data}\n\n`).join(
          "",
        );
        assert.equal(outcome.raw.replace(/^:[^\n]*\n\n/gm, ""), framed);
        for (const event of outcome.events.filter((event) => event.event === "message")) {
          // The CLI prints compact JSON with non-ASCII as is: a verbatim line re-serialises to itself.
          assert.equal(JSON.stringify(JSON.parse(event.data)), event.data);
          assert.ok(outcome.raw.includes(`event: message\ndata: ${event.data}\n\n`));
        }
        assert.ok(outcome.raw.includes("Привет"), "UTF-8 passes as is, not \\u-escaped");
        const [init, assistant, result] = outcome.lines;
        assert.equal(init.cwd, cwd);
        assert.equal(init.permissionMode, "acceptEdits");
        assert.equal(assistantText(assistant), answer);
        assert.equal(result.result, answer);
        assert.equal(gateway.requestFor(marker).lastUserText, prompt);

        const { done } = outcome;
        assert.deepEqual(Object.keys(done).sort(), [
          "cancelled",
          "duration_ms",
          "exit_code",
          "process_id",
          "session_id",
          "signal",
          "stop_reason",
        ]);
        assert.equal(done.process_id, processId);
        assert.equal(done.exit_code, 0);
        assert.equal(done.signal, null);
        assert.equal(done.cancelled, false);
        assert.equal(done.stop_reason, null);
        assert.equal(done.session_id, init.session_id);
        assert.equal(typeof done.duration_ms, "number");
      },
    );

    await scenario(
      t,
      "2. 'Create hello.txt with Hello World' writes the file through the Write tool",
      async () => {
        const cwd = await gateway.newCwd("hello");
        const marker = newMarker("hello");
        const file = `${cwd}/hello.txt`;
        gateway.script(
          marker,
          (request) =>
            request.toolResults.length > 0
              ? reply.text("Created hello.txt")
              : reply.toolUse("Write", { file_path: file, content: "Hello World" }),
        );
        const outcome = await gateway.chat({ prompt: `Create hello.txt with Hello World (${marker})`, cwd });
        gateway.assertSuccess(outcome);

        assert.equal(await Deno.readTextFile(file), "Hello World");
        const toolUse = linesOf(outcome, "assistant").flatMap((line) =>
          (line.message as { content: Json[] }).content.filter((block) => block.type === "tool_use")
        );
        assert.equal(toolUse.length, 1);
        assert.equal(toolUse[0].name, "Write");
        assert.ok(
          linesOf(outcome, "user").some((line) => userText(line).includes("File created successfully")),
        );
        assert.equal(outcome.result?.result, "Created hello.txt");
        const requests = gateway.requestsWith(marker);
        assert.equal(requests.length, 2);
        assert.match(
          String(requests[1].toolResults[0]?.content),
          /File created successfully at: .*hello\.txt/,
        );
      },
    );

    await scenario(t, "3. a chat with an earlier session_id continues that session", async () => {
      const cwd = await gateway.newCwd("resume");
      const first = newMarker("first");
      const second = newMarker("second");
      gateway.script(first, () => reply.text(`The first answer, ${first}`));
      gateway.script(second, () => reply.text("The second answer"));
      const one = await gateway.chat({ prompt: `Remember ${first}`, cwd });
      gateway.assertSuccess(one);
      const sessionId = one.init.session_id as string;

      const two = await gateway.chat({ prompt: `What did you say? ${second}`, cwd, session_id: sessionId });
      gateway.assertSuccess(two);
      assert.equal(two.init.session_id, sessionId);
      assert.equal(two.done.session_id, sessionId);
      assert.equal(two.result?.session_id, sessionId);
      const request = gateway.requestFor(second);
      assert.equal(request.headers["x-claude-code-session-id"], sessionId);
      const history = request.messages.slice(0, -1);
      assert.ok(messageTexts(history.filter((m) => m.role === "user")).includes(`Remember ${first}`));
      assert.ok(
        messageTexts(history.filter((m) => m.role === "assistant")).includes(`The first answer, ${first}`),
      );
    });

    await scenario(t, "4. every request field lands where it should", async (t4) => {
      const cwd = await gateway.newCwd("fields");
      /** A chat in `cwd` (unless given) whose request and outcome are returned. */
      const run = async (
        label: string,
        fields: Json,
        options: { cwd?: string; expectSuccess?: boolean } = {},
      ) => {
        const marker = newMarker(label);
        const outcome = await gateway.chat({
          prompt: `${label} ${marker}`,
          cwd: options.cwd ?? cwd,
          ...fields,
        });
        if (options.expectSuccess ?? true) gateway.assertSuccess(outcome);
        const request = gateway.requestFor(marker);
        return { outcome, request, marker };
      };
      const field = (name: string, fn: () => Promise<void>) => scenario(t4, name, fn);
      const baseline = await run("baseline", {});
      const baselineSystem = systemBlocks(baseline.request.body);

      await field("model and fallback_model", async () => {
        const { outcome, request } = await run("model", { model: "haiku", fallback_model: "sonnet" });
        assert.equal(request.model, "claude-haiku-5-5");
        assert.equal(outcome.init.model, "claude-haiku-5-5");
        assert.notEqual(baseline.request.model, request.model);
      });

      await field("system_prompt replaces the system prompt", async () => {
        const { request } = await run("system", { system_prompt: "You are E2E-REPLACED." });
        const blocks = systemBlocks(request.body);
        assert.equal(blocks.at(-1), "You are E2E-REPLACED.");
        assert.ok(
          !request.system.includes(baselineSystem.at(-1)!.slice(0, 200)),
          "the default prompt is gone",
        );
      });

      await field("append_system_prompt extends the default system prompt", async () => {
        const { request } = await run("append", { append_system_prompt: "E2E-APPENDED" });
        const last = systemBlocks(request.body).at(-1)!;
        assert.ok(last.endsWith("\n\nE2E-APPENDED"));
        assert.ok(last.startsWith(baselineSystem.at(-1)!.slice(0, 200)), "the default prompt stays");
      });

      await field("tools chooses the tools ([] for none)", async () => {
        const some = await run("tools", { tools: ["Read"] });
        assert.ok(some.request.toolNames.includes("Read"), some.request.toolNames.join());
        for (const tool of ["Bash", "Write", "Edit"]) assert.ok(!some.request.toolNames.includes(tool), tool);
        assert.deepEqual(some.outcome.init.tools, ["Read"]);
        const none = await run("notools", { tools: [] });
        assert.deepEqual(none.request.toolNames, []);
        assert.deepEqual(none.outcome.init.tools, []);
      });

      await field("disallowed_tools removes tools", async () => {
        const { request } = await run("disallowed", { disallowed_tools: ["Bash", "Write"] });
        assert.ok(
          baseline.request.toolNames.includes("Bash") && baseline.request.toolNames.includes("Write"),
        );
        assert.ok(
          !request.toolNames.includes("Bash") && !request.toolNames.includes("Write"),
          request.toolNames.join(),
        );
        assert.ok(request.toolNames.includes("Read"));
      });

      await field("permission_mode and allowed_tools decide whether Write may run", async () => {
        const writeThenText = (file: string) => (request: { toolResults: unknown[] }) =>
          request.toolResults.length > 0 ? reply.text("finished") : reply.toolUse("Write", {
            file_path: file,
            content: "x",
          });
        const deniedMarker = newMarker("denied");
        const deniedFile = `${cwd}/denied.txt`;
        gateway.script(deniedMarker, writeThenText(deniedFile));
        const denied = await gateway.chat({
          prompt: `write ${deniedMarker}`,
          cwd,
          permission_mode: "default",
        });
        gateway.assertSuccess(denied);
        assert.equal(denied.init.permissionMode, "default");
        assert.ok(!(await exists(deniedFile)), "default mode without an allow rule denies Write");
        const denials = (denied.result?.permission_denials ?? []) as Json[];
        assert.ok(denials.some((denial) => denial.tool_name === "Write"), JSON.stringify(denials));

        const allowedMarker = newMarker("allowed");
        const allowedFile = `${cwd}/allowed.txt`;
        gateway.script(allowedMarker, writeThenText(allowedFile));
        const allowed = await gateway.chat({
          prompt: `write ${allowedMarker}`,
          cwd,
          permission_mode: "default",
          allowed_tools: ["Write"],
        });
        gateway.assertSuccess(allowed);
        assert.equal(await Deno.readTextFile(allowedFile), "x");
        assert.deepEqual(allowed.result?.permission_denials, []);
      });

      await field("json_schema adds the StructuredOutput tool", async () => {
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
      });

      await field("agents lists custom agents; agent runs the session as one", async () => {
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
      });

      await field("add_dir and permission_mode show in the init line", async () => {
        const extra = await gateway.newCwd("extra");
        const { outcome } = await run("adddir", { add_dir: [extra], permission_mode: "plan" });
        assert.deepEqual(outcome.init.additional_directories, [extra]);
        assert.equal(outcome.init.permissionMode, "plan");
      });

      await field("bypassPermissions: as root the CLI refuses it, and the client sees why", async () => {
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
      });

      await field("mcp_config (file or JSON) adds servers; strict_mcp_config drops the others", async () => {
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
      });

      await field("debug writes the CLI's debug log under HOME", async () => {
        const debugLog = (outcome: ChatOutcome) =>
          `${gateway.home}/.claude/debug/${outcome.init.session_id}.txt`;
        assert.ok(!(await exists(debugLog(baseline.outcome))), "no debug log without debug");
        const on = await run("debug", { debug: true });
        const full = (await Deno.readTextFile(debugLog(on.outcome))).split("\n").filter((line) =>
          line !== ""
        );
        assert.ok(full.some((line) => !/hook/i.test(line)), "an unfiltered log has every category");
        // A category filter keeps only its lines (a category with no line in a -p run writes no file at all).
        const filtered = await run("debughooks", { debug: "hooks" });
        const lines = (await Deno.readTextFile(debugLog(filtered.outcome))).split("\n").filter((line) =>
          line !== ""
        );
        assert.ok(lines.length > 0 && lines.every((line) => /hook/i.test(line)), lines.join("\n"));
      });

      await field("settings (object) applies its permission rules", async () => {
        const { request, outcome } = await run("settings", { settings: { permissions: { deny: ["Bash"] } } });
        assert.ok(!request.toolNames.includes("Bash"), request.toolNames.join());
        assert.ok(!(outcome.init.tools as string[]).includes("Bash"));
      });

      await field("include_hook_events streams hook lines (settings given as a file path)", async () => {
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
      });

      await field("setting_sources limits where settings come from", async () => {
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
      });

      await field("fork_session continues under a new session id", async () => {
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
      });

      await scenario(t4, "fork_session: done reports the forked session id", async () => {
        const first = await run("forkdone", {});
        const original = first.outcome.init.session_id as string;
        const fork = await run("forkdone2", { session_id: original, fork_session: true });
        assert.notEqual(fork.outcome.init.session_id, original);
        assert.equal(fork.outcome.done.session_id, fork.outcome.init.session_id);
      });

      await field("effort sets the request's effort", async () => {
        const { request } = await run("effort", { effort: "low" });
        assert.deepEqual(request.body?.output_config, { effort: "low" });
        assert.deepEqual(baseline.request.body?.output_config, { effort: "medium" });
      });

      await field("max_budget_usd stops a chat over budget", async () => {
        const { outcome } = await run("budget", { max_budget_usd: 0.000001 }, { expectSuccess: false });
        assert.equal(outcome.result?.subtype, "error_max_budget_usd", outcome.raw.slice(-2000));
        assert.equal(outcome.error?.exit_code, 1);
        assert.equal(outcome.done.exit_code, 1);
      });

      await field("include_partial_messages streams stream_event lines", async () => {
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
      });

      await field("betas adds to the anthropic-beta header", async () => {
        const { request } = await run("betas", { betas: ["context-1m-2025-08-07"] });
        assert.ok(request.headers["anthropic-beta"].split(",").includes("context-1m-2025-08-07"));
        assert.ok(!baseline.request.headers["anthropic-beta"].split(",").includes("context-1m-2025-08-07"));
      });

      await field("name titles the session", async () => {
        const { outcome } = await run("name", { name: "e2e session name" });
        const titles = linesOf(outcome, "system", "session_title_changed").map((line) => line.title);
        assert.deepEqual(titles, ["e2e session name"]);
      });

      await field(
        "no_session_persistence saves nothing; continue resumes the latest saved session",
        async () => {
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
      );

      await field("plugin_dir loads a plugin", async () => {
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
      });

      await field("disable_slash_commands removes skills and slash commands", async () => {
        assert.ok((baseline.outcome.init.slash_commands as string[]).length > 0);
        assert.ok(baseline.request.toolNames.includes("Skill"));
        const { outcome, request } = await run("noslash", { disable_slash_commands: true });
        assert.deepEqual(outcome.init.slash_commands, []);
        assert.ok(!request.toolNames.includes("Skill"), request.toolNames.join());
      });

      await field(
        "exclude_dynamic_system_prompt_sections moves per-machine sections out of the system prompt",
        async () => {
          assert.ok(baseline.request.system.includes("\n# Memory\n"));
          const { request } = await run("nodynamic", { exclude_dynamic_system_prompt_sections: true });
          assert.ok(!request.system.includes("\n# Memory\n"));
          assert.ok(
            messageTexts(request.messages.slice(0, 1)).includes("# Memory"),
            "it moved to the first user message",
          );
        },
      );
    });

    await scenario(
      t,
      "5. DELETE /chat/{id} interrupts a chat mid-answer; its session resumes with the partial turn",
      async () => {
        const cwd = await gateway.newCwd("cancel");
        const marker = newMarker("cancel");
        const parts = Array.from({ length: 40 }, (_, i) => `part-${String(i).padStart(2, "0")} `);
        gateway.script(marker, () => reply.slowText(parts.join(""), parts.length, 250));
        const response = await gateway.post({ prompt: `Tell a long story ${marker}`, cwd });
        assert.equal(response.status, 200);
        const processId = response.headers.get("X-Process-ID")!;
        const reader = new SseReader(response);
        try {
          await gateway.waitForPrompt(marker);
          await sleep(CLI_SETTLE_MS);
          assert.equal(gateway.cliPids().length > 0, true, "the CLI is running");

          // DELETE does not wait for the CLI to exit (a hang guard, not a speed test).
          const cancelled = await within(gateway.cancel(processId), 3_000, "DELETE /chat/{id} to answer");
          assert.equal(cancelled.status, 200);
          assert.deepEqual(cancelled.body, { status: "cancelled", process_id: processId });

          const rest = await within(reader.rest(), 10_000, "the cancelled stream to end");
          assert.ok(rest.length > 0);
          const outcome = gateway.outcome(processId, reader.raw);
          assert.equal(outcome.error, undefined, "SIGINT ends the CLI with exit 0");
          assert.equal(outcome.done.cancelled, true);
          assert.equal(outcome.done.stop_reason, "cancelled");
          assert.equal(outcome.done.exit_code, 0);
          assert.ok(
            linesOf(outcome, "user").some((line) => userText(line).includes("[Request interrupted by user]")),
            outcome.raw.slice(-3000),
          );
          const partial = linesOf(outcome, "assistant").map(assistantText).join("");
          assert.ok(partial.startsWith("part-00 "), `the partial answer is streamed: ${partial}`);
          assert.ok(!partial.includes("part-39"), "the answer was cut");
          // The result line is usually there (error_during_execution) but the CLI does not always print it.
          if (outcome.result) assert.equal(outcome.result.subtype, "error_during_execution");
          await gateway.waitNoCli(5_000);

          const sessionId = outcome.init.session_id as string;
          assert.equal(outcome.done.session_id, sessionId);
          const followUp = newMarker("after-cancel");
          const resumed = await gateway.chat({ prompt: `Go on ${followUp}`, cwd, session_id: sessionId });
          gateway.assertSuccess(resumed);
          assert.equal(resumed.init.session_id, sessionId);
          const history = gateway.requestFor(followUp).messages;
          assert.ok(
            messageTexts(history.filter((m) => m.role === "assistant")).includes("part-00"),
            "partial answer",
          );
          assert.ok(
            messageTexts(history.filter((m) => m.role === "user")).includes("[Request interrupted by user]"),
          );
        } finally {
          await reader.cancel();
        }
      },
    );

    await scenario(t, "6. a client that disconnects mid-answer leaves no CLI behind", async () => {
      const cwd = await gateway.newCwd("disconnect");
      const marker = newMarker("disconnect");
      gateway.script(marker, () => reply.slowText("x ".repeat(60), 60, 250));
      const response = await gateway.post({ prompt: `Talk slowly ${marker}`, cwd });
      assert.equal(response.status, 200);
      const processId = response.headers.get("X-Process-ID")!;
      const reader = new SseReader(response);
      try {
        await within(
          reader.until((event) => event.data.includes('"subtype":"init"')),
          20_000,
          "the init line",
        );
        await gateway.waitForPrompt(marker);
        await sleep(CLI_SETTLE_MS);
        assert.ok(gateway.cliPids().length > 0, "the CLI is running");
        const listed = await gateway.processes();
        assert.deepEqual(listed.processes.map((process) => process.process_id), [processId]);
      } finally {
        await reader.cancel();
      }
      // The answer would take 15 s more: a CLI gone before that was stopped by the gateway.
      await gateway.waitNoCli(8_000);
      await waitUntil(
        () => new RegExp(`client disconnected.*${processId}`).test(gateway.server.output()),
        5_000,
        "the server to log the disconnect",
      );
    });

    await scenario(
      t,
      "7. eight parallel chats each get their own answer and are listed while they run",
      async () => {
        const cwd = await gateway.newCwd("parallel");
        const markers = Array.from({ length: 8 }, (_, i) => newMarker(`parallel${i}`));
        for (const marker of markers) {
          // Derived from the prompt: a chat that got another one's answer would show it.
          gateway.script(marker, (request) => reply.slowText(`ECHO ${request.lastUserText}`, 10, 300));
        }
        const responses = await Promise.all(
          markers.map((marker) => gateway.post({ prompt: `echo ${marker}`, cwd })),
        );
        const ids = responses.map((response) => response.headers.get("X-Process-ID")!);
        try {
          for (const response of responses) assert.equal(response.status, 200);
          const listed = await gateway.processes();
          assert.equal(listed.count, 8);
          assert.deepEqual(listed.processes.map((process) => process.process_id).sort(), [...ids].sort());
          assert.ok(listed.processes.every((process) => process.status === "running" && process.cwd === cwd));
          await Promise.all(markers.map((marker) => gateway.waitForPrompt(marker, 30_000)));
          assert.ok(gateway.cliPids().length >= 8, "eight CLIs are alive");
        } finally {
          const outcomes = await within(
            Promise.all(responses.map(async (response, i) => gateway.outcome(ids[i], await response.text()))),
            60_000,
            "every parallel chat to end",
          );
          outcomes.forEach((outcome, i) => {
            gateway.assertSuccess(outcome);
            assert.equal(outcome.result?.result, `ECHO echo ${markers[i]}`);
          });
          assert.equal(new Set(outcomes.map((outcome) => outcome.init.session_id)).size, 8);
        }
      },
    );

    await scenario(
      t,
      "8. hostile values stay values: '--help' prompt, 300 KB prompt, '--' model and tools",
      async () => {
        const cwd = await gateway.newCwd("hostile");
        const help = await gateway.chat({ prompt: "--help", cwd });
        gateway.assertSuccess(help);
        const helpRequest = gateway.fake.messageRequests.find((request) => request.lastUserText === "--help");
        assert.ok(helpRequest, "the fake received '--help' as the user's text");
        assert.ok(!help.raw.includes("Usage:"), "no help text");

        const marker = newMarker("big");
        const big = `${marker} ${"0123456789abcdef".repeat(300 * 1024 / 16)} ${marker}-end`;
        const bigOutcome = await gateway.chat({ prompt: big, cwd });
        gateway.assertSuccess(bigOutcome);
        assert.equal(gateway.requestFor(marker).lastUserText, big, "the whole 300 KB prompt arrived");

        const flags = newMarker("flags");
        const outcome = await gateway.chat({
          prompt: `flags ${flags}`,
          cwd,
          model: "--help",
          allowed_tools: ["--version"],
          disallowed_tools: ["--print"],
          system_prompt: "--version",
        });
        gateway.assertSuccess(outcome);
        const request = gateway.requestFor(flags);
        assert.equal(request.model, "--help");
        assert.equal(outcome.init.model, "--help");
        assert.equal(systemBlocks(request.body).at(-1), "--version");
        assert.ok(
          !outcome.raw.includes("Usage:") && !outcome.raw.includes("(Claude Code)"),
          "neither help nor version",
        );
      },
    );

    await scenario(
      t,
      "9. an HTTP 500 from the API ends the stream with the CLI's error, an error event and done",
      async () => {
        const cwd = await gateway.newCwd("api-error");
        const marker = newMarker("error");
        gateway.script(marker, () => reply.error(500, "E2E internal failure"));
        const outcome = await gateway.chat({ prompt: `fail ${marker}`, cwd }, 20_000);
        assert.equal(gateway.requestsWith(marker).length, 1, "CLAUDE_CODE_MAX_RETRIES=0: one request");
        const apiError = linesOf(outcome, "assistant").map(assistantText).join("");
        assert.match(apiError, /API Error: 500/);
        assert.equal(outcome.result?.is_error, true);
        assert.equal(outcome.result?.api_error_status, 500);
        assert.equal(outcome.error?.exit_code, 1);
        assert.equal(outcome.error?.process_id, outcome.processId);
        assert.equal(typeof outcome.error?.message, "string");
        assert.equal(outcome.done.exit_code, 1);
        assert.equal(outcome.done.cancelled, false);
      },
    );

    await scenario(t, "10. a 400 KB answer passes intact", async () => {
      const cwd = await gateway.newCwd("large");
      const marker = newMarker("large");
      const large = reply.largeText(400_000, `<<END-${marker}>>`);
      gateway.script(marker, () => large);
      const outcome = await gateway.chat({ prompt: `big answer ${marker}`, cwd });
      gateway.assertSuccess(outcome);
      assert.equal(outcome.result?.result, large.text);
      assert.equal(assistantText(linesOf(outcome, "assistant")[0]), large.text);
    });
  } finally {
    await gateway.close();
    console.log(timings.map(({ scenario, ms }) => `${String(ms).padStart(6)} ms  ${scenario}`).join("\n"));
  }
  assert.deepEqual(gateway.cliPids(), [], "no CLI outlives the gateway");
});
