import assert from "node:assert/strict";
import type { ChatRequest } from "../../domain/chat_request.ts";
import { BASE_ARGS, buildCliArgs, FLAG_MAP } from "../../infrastructure/cli_args.ts";
import { EXPECTED_FIELDS, FULL_OPTIONS, FULL_REQUEST, optionsOf } from "./cli_args_requests.ts";

Deno.test("BASE_ARGS is print mode with streamed JSON in and out and verbose output", () => {
  assert.deepEqual([...BASE_ARGS], [
    "-p",
    "--input-format=stream-json",
    "--output-format=stream-json",
    "--verbose",
  ]);
});

Deno.test("FLAG_MAP maps exactly the ChatRequest fields other than prompt and cwd", () => {
  assert.deepEqual(Object.keys(FLAG_MAP).sort(), [...EXPECTED_FIELDS].sort());
  assert.equal("prompt" in FLAG_MAP, false);
  assert.equal("cwd" in FLAG_MAP, false);
});

Deno.test("buildCliArgs() gives only BASE_ARGS for a request with just prompt and cwd", () => {
  assert.deepEqual(buildCliArgs({ prompt: "hi", cwd: "/work" }), [...BASE_ARGS]);
});

Deno.test("buildCliArgs() maps every field of a full request to its flags, in FLAG_MAP order", () => {
  assert.deepEqual(buildCliArgs(FULL_REQUEST), [...BASE_ARGS, ...FULL_OPTIONS]);
});

Deno.test("buildCliArgs() sets one field at a time to exactly its own options", () => {
  const expected: Record<string, string[]> = {
    model: ["--model=claude-sonnet-4-5"],
    session_id: ["--resume=0b6f1c7e-1111-4222-8333-944455556666"],
    system_prompt: ["--system-prompt=You are terse."],
    append_system_prompt: ["--append-system-prompt=Answer in English."],
    tools: ["--tools=Read", "--tools=Write"],
    allowed_tools: ["--allowed-tools=Bash(git log:*)", "--allowed-tools=Edit"],
    disallowed_tools: ["--disallowed-tools=WebFetch"],
    permission_mode: ["--permission-mode=plan"],
    mcp_config: ["--mcp-config=/etc/mcp/a.json", '--mcp-config={"mcpServers":{}}'],
    add_dir: ["--add-dir=/work/lib", "--add-dir=/work/docs"],
    debug: ["--debug=api,hooks"],
    json_schema: ['--json-schema={"type":"object","properties":{"answer":{"type":"string"}}}'],
    agents: ['--agents={"reviewer":{"description":"Reviews code","prompt":"You review"}}'],
    fallback_model: ["--fallback-model=claude-haiku-4-5"],
    fork_session: ["--fork-session"],
    strict_mcp_config: ["--strict-mcp-config"],
    settings: ['--settings={"theme":"dark"}'],
    plugin_dir: ["--plugin-dir=/work/plugins/one", "--plugin-dir=/work/plugins/two"],
    max_budget_usd: ["--max-budget-usd=2.5"],
    effort: ["--effort=high"],
    include_partial_messages: ["--include-partial-messages"],
    include_hook_events: ["--include-hook-events"],
    setting_sources: ["--setting-sources=user,project"],
    betas: ["--betas=beta-one", "--betas=beta-two"],
    name: ["--name=nightly review"],
    no_session_persistence: ["--no-session-persistence"],
    continue: ["--continue"],
    agent: ["--agent=reviewer"],
    disable_slash_commands: ["--disable-slash-commands"],
    exclude_dynamic_system_prompt_sections: ["--exclude-dynamic-system-prompt-sections"],
    permission_prompt: ["--permission-prompt-tool=stdio"],
    new_session_id: ["--session-id=7a1e0c2d-3333-4444-8555-966677778888"],
  };
  assert.deepEqual(Object.keys(expected).sort(), [...EXPECTED_FIELDS].sort());
  for (const field of EXPECTED_FIELDS) {
    const value = FULL_REQUEST[field as keyof ChatRequest];
    assert.deepEqual(optionsOf({ [field]: value }), expected[field], field);
  }
});

Deno.test("buildCliArgs() passes string fields as one --flag=value argument each", () => {
  assert.deepEqual(optionsOf({ model: "opus" }), ["--model=opus"]);
  assert.deepEqual(optionsOf({ session_id: "abc" }), ["--resume=abc"]);
  assert.deepEqual(optionsOf({ system_prompt: "be brief" }), ["--system-prompt=be brief"]);
  assert.deepEqual(optionsOf({ append_system_prompt: "and kind" }), ["--append-system-prompt=and kind"]);
  assert.deepEqual(optionsOf({ permission_mode: "bypassPermissions" }), [
    "--permission-mode=bypassPermissions",
  ]);
  assert.deepEqual(optionsOf({ fallback_model: "sonnet" }), ["--fallback-model=sonnet"]);
  assert.deepEqual(optionsOf({ effort: "max" }), ["--effort=max"]);
  assert.deepEqual(optionsOf({ name: "my chat" }), ["--name=my chat"]);
  assert.deepEqual(optionsOf({ agent: "planner" }), ["--agent=planner"]);
});

Deno.test("buildCliArgs() repeats the flag once per item of a list field, keeping order", () => {
  assert.deepEqual(optionsOf({ tools: ["Bash", "Read", "Grep"] }), [
    "--tools=Bash",
    "--tools=Read",
    "--tools=Grep",
  ]);
  assert.deepEqual(optionsOf({ allowed_tools: ["B", "A"] }), ["--allowed-tools=B", "--allowed-tools=A"]);
  assert.deepEqual(optionsOf({ disallowed_tools: ["X", "Y"] }), [
    "--disallowed-tools=X",
    "--disallowed-tools=Y",
  ]);
  assert.deepEqual(optionsOf({ mcp_config: ["/a", "/b"] }), ["--mcp-config=/a", "--mcp-config=/b"]);
  assert.deepEqual(optionsOf({ add_dir: ["/x", "/y"] }), ["--add-dir=/x", "--add-dir=/y"]);
  assert.deepEqual(optionsOf({ plugin_dir: ["/p"] }), ["--plugin-dir=/p"]);
  assert.deepEqual(optionsOf({ betas: ["b1", "b2", "b3"] }), ["--betas=b1", "--betas=b2", "--betas=b3"]);
});

Deno.test("buildCliArgs() gives nothing for empty lists other than tools", () => {
  assert.deepEqual(
    optionsOf({
      allowed_tools: [],
      disallowed_tools: [],
      mcp_config: [],
      add_dir: [],
      plugin_dir: [],
      betas: [],
    }),
    [],
  );
});

Deno.test("buildCliArgs() spells an empty tools list as --tools= (no tools at all)", () => {
  assert.deepEqual(optionsOf({ tools: [] }), ["--tools="]);
});

Deno.test("buildCliArgs() passes debug: true as a bare --debug", () => {
  assert.deepEqual(optionsOf({ debug: true }), ["--debug"]);
});

Deno.test("buildCliArgs() passes a debug filter string as --debug=filter", () => {
  assert.deepEqual(optionsOf({ debug: "api,hooks" }), ["--debug=api,hooks"]);
  assert.deepEqual(optionsOf({ debug: "!statsig" }), ["--debug=!statsig"]);
});

Deno.test("buildCliArgs() gives nothing for debug: false", () => {
  assert.deepEqual(optionsOf({ debug: false }), []);
});

Deno.test("buildCliArgs() gives a bare flag for each boolean set to true", () => {
  assert.deepEqual(
    optionsOf({
      fork_session: true,
      strict_mcp_config: true,
      include_partial_messages: true,
      include_hook_events: true,
      no_session_persistence: true,
      continue: true,
      disable_slash_commands: true,
      exclude_dynamic_system_prompt_sections: true,
    }),
    [
      "--fork-session",
      "--strict-mcp-config",
      "--include-partial-messages",
      "--include-hook-events",
      "--no-session-persistence",
      "--continue",
      "--disable-slash-commands",
      "--exclude-dynamic-system-prompt-sections",
    ],
  );
});

Deno.test("buildCliArgs() gives nothing for each boolean set to false", () => {
  assert.deepEqual(
    optionsOf({
      fork_session: false,
      strict_mcp_config: false,
      include_partial_messages: false,
      include_hook_events: false,
      no_session_persistence: false,
      continue: false,
      disable_slash_commands: false,
      exclude_dynamic_system_prompt_sections: false,
      debug: false,
    }),
    [],
  );
});

Deno.test("buildCliArgs() serialises json_schema, agents and settings objects as compact JSON", () => {
  const schema = {
    type: "object",
    required: ["a"],
    properties: { a: { type: "string", description: 'say "hi"\n' } },
  };
  const agents = {
    "code-reviewer": { description: "Reviews", prompt: "Be strict; very strict", tools: ["Read"] },
  };
  const settings = { permissions: { allow: ["Bash(ls:*)"] }, env: { FOO: "bar baz" } };
  const options = optionsOf({ json_schema: schema, agents, settings });
  assert.deepEqual(options, [
    `--json-schema=${JSON.stringify(schema)}`,
    `--agents=${JSON.stringify(agents)}`,
    `--settings=${JSON.stringify(settings)}`,
  ]);
  assert.deepEqual(JSON.parse(options[0].slice("--json-schema=".length)), schema);
  assert.deepEqual(JSON.parse(options[1].slice("--agents=".length)), agents);
  assert.deepEqual(JSON.parse(options[2].slice("--settings=".length)), settings);
  assert.equal(options[0].includes("\n"), false);
});

Deno.test("buildCliArgs() passes a settings string (a file path or JSON text) unchanged", () => {
  assert.deepEqual(optionsOf({ settings: "/etc/claude/settings.json" }), [
    "--settings=/etc/claude/settings.json",
  ]);
  assert.deepEqual(optionsOf({ settings: '{"a":1}' }), ['--settings={"a":1}']);
});

Deno.test("buildCliArgs() joins setting_sources with commas in one argument", () => {
  assert.deepEqual(optionsOf({ setting_sources: ["user", "project", "local"] }), [
    "--setting-sources=user,project,local",
  ]);
  assert.deepEqual(optionsOf({ setting_sources: ["local"] }), ["--setting-sources=local"]);
});

Deno.test("buildCliArgs() writes max_budget_usd as a plain number", () => {
  assert.deepEqual(optionsOf({ max_budget_usd: 0.05 }), ["--max-budget-usd=0.05"]);
  assert.deepEqual(optionsOf({ max_budget_usd: 10 }), ["--max-budget-usd=10"]);
  assert.deepEqual(optionsOf({ max_budget_usd: 0 }), ["--max-budget-usd=0"]);
});

Deno.test("buildCliArgs() never puts the prompt in the arguments", () => {
  const prompt = "SECRET-PROMPT-7c1f --help -p $(rm -rf /)";
  const args = buildCliArgs({ ...FULL_REQUEST, prompt });
  assert.equal(args.some((arg) => arg.includes("SECRET-PROMPT-7c1f")), false);
  assert.equal(buildCliArgs({ prompt, cwd: "/w" }).some((arg) => arg.includes("SECRET-PROMPT-7c1f")), false);
  assert.equal(args.some((arg) => arg.includes("PROMPT-MARKER")), false);
});

Deno.test("buildCliArgs() never passes the cwd as an argument", () => {
  const args = buildCliArgs({ prompt: "hi", cwd: "/work/CWD-MARKER" });
  assert.equal(args.some((arg) => arg.includes("CWD-MARKER")), false);
});
