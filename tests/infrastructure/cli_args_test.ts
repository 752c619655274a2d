import assert from "node:assert/strict";
import type { ChatRequest } from "../../domain/chat_request.ts";
import { BASE_ARGS, buildCliArgs, FLAG_MAP } from "../../infrastructure/cli_args.ts";

const FAKE_CLAUDE = new URL("../../testkit/fake_claude.sh", import.meta.url).pathname;

/** The options a request adds after {@link BASE_ARGS}. */
function optionsOf(request: Omit<ChatRequest, "prompt" | "cwd">): string[] {
  const args = buildCliArgs({ prompt: "hello", cwd: "/work", ...request });
  assert.deepEqual(args.slice(0, BASE_ARGS.length), [...BASE_ARGS]);
  return args.slice(BASE_ARGS.length);
}

const HOSTILE_VALUES = [
  "--help",
  "-p",
  "--dangerously-skip-permissions",
  "-",
  "--",
  "value with spaces",
  "  leading and trailing  ",
  "first line\nsecond line\n",
  "carriage\r\nreturn",
  "tab\there",
  `"double" and 'single' quotes`,
  "$(rm -rf /)",
  "`rm -rf /`",
  "a; rm -rf / ; b",
  "a && b || c | d > /tmp/x < /etc/passwd",
  "${HOME} $HOME %PATH% ~",
  "* ? [a-z] {a,b}",
  "back\\slash\\",
  "=starts=with=equals=",
  "héllo wörld ✓ 日本語 🚀👩‍👩‍👧",
  "",
];

// Every ChatRequest field but prompt and cwd, written out by hand so a new field must be mapped on purpose.
const EXPECTED_FIELDS = [
  "model",
  "session_id",
  "system_prompt",
  "append_system_prompt",
  "tools",
  "allowed_tools",
  "disallowed_tools",
  "permission_mode",
  "mcp_config",
  "add_dir",
  "debug",
  "json_schema",
  "agents",
  "fallback_model",
  "fork_session",
  "strict_mcp_config",
  "settings",
  "plugin_dir",
  "max_budget_usd",
  "effort",
  "include_partial_messages",
  "include_hook_events",
  "setting_sources",
  "betas",
  "name",
  "no_session_persistence",
  "continue",
  "agent",
  "disable_slash_commands",
  "exclude_dynamic_system_prompt_sections",
];

/** A request that sets every field, with the exact options it must produce. */
const FULL_REQUEST: ChatRequest = {
  prompt: "the prompt PROMPT-MARKER",
  cwd: "/work/project",
  model: "claude-sonnet-4-5",
  session_id: "0b6f1c7e-1111-4222-8333-944455556666",
  system_prompt: "You are terse.",
  append_system_prompt: "Answer in English.",
  tools: ["Read", "Write"],
  allowed_tools: ["Bash(git log:*)", "Edit"],
  disallowed_tools: ["WebFetch"],
  permission_mode: "plan",
  mcp_config: ["/etc/mcp/a.json", '{"mcpServers":{}}'],
  add_dir: ["/work/lib", "/work/docs"],
  debug: "api,hooks",
  json_schema: { type: "object", properties: { answer: { type: "string" } } },
  agents: { reviewer: { description: "Reviews code", prompt: "You review" } },
  fallback_model: "claude-haiku-4-5",
  fork_session: true,
  strict_mcp_config: true,
  settings: { theme: "dark" },
  plugin_dir: ["/work/plugins/one", "/work/plugins/two"],
  max_budget_usd: 2.5,
  effort: "high",
  include_partial_messages: true,
  include_hook_events: true,
  setting_sources: ["user", "project"],
  betas: ["beta-one", "beta-two"],
  name: "nightly review",
  no_session_persistence: true,
  continue: true,
  agent: "reviewer",
  disable_slash_commands: true,
  exclude_dynamic_system_prompt_sections: true,
};

const FULL_OPTIONS = [
  "--model=claude-sonnet-4-5",
  "--resume=0b6f1c7e-1111-4222-8333-944455556666",
  "--system-prompt=You are terse.",
  "--append-system-prompt=Answer in English.",
  "--tools=Read",
  "--tools=Write",
  "--allowed-tools=Bash(git log:*)",
  "--allowed-tools=Edit",
  "--disallowed-tools=WebFetch",
  "--permission-mode=plan",
  "--mcp-config=/etc/mcp/a.json",
  '--mcp-config={"mcpServers":{}}',
  "--add-dir=/work/lib",
  "--add-dir=/work/docs",
  "--debug=api,hooks",
  '--json-schema={"type":"object","properties":{"answer":{"type":"string"}}}',
  '--agents={"reviewer":{"description":"Reviews code","prompt":"You review"}}',
  "--fallback-model=claude-haiku-4-5",
  "--fork-session",
  "--strict-mcp-config",
  '--settings={"theme":"dark"}',
  "--plugin-dir=/work/plugins/one",
  "--plugin-dir=/work/plugins/two",
  "--max-budget-usd=2.5",
  "--effort=high",
  "--include-partial-messages",
  "--include-hook-events",
  "--setting-sources=user,project",
  "--betas=beta-one",
  "--betas=beta-two",
  "--name=nightly review",
  "--no-session-persistence",
  "--continue",
  "--agent=reviewer",
  "--disable-slash-commands",
  "--exclude-dynamic-system-prompt-sections",
];

Deno.test("BASE_ARGS is print mode with streamed JSON and verbose output", () => {
  assert.deepEqual([...BASE_ARGS], ["-p", "--output-format=stream-json", "--verbose"]);
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

Deno.test("buildCliArgs() keeps each hostile string value a single --flag=value argument", () => {
  for (const value of HOSTILE_VALUES) {
    const options = optionsOf({
      model: value,
      session_id: value,
      system_prompt: value,
      append_system_prompt: value,
      permission_mode: value as ChatRequest["permission_mode"],
      fallback_model: value,
      effort: value as ChatRequest["effort"],
      name: value,
      agent: value,
      settings: value,
    });
    assert.deepEqual(options, [
      `--model=${value}`,
      `--resume=${value}`,
      `--system-prompt=${value}`,
      `--append-system-prompt=${value}`,
      `--permission-mode=${value}`,
      `--fallback-model=${value}`,
      `--settings=${value}`,
      `--effort=${value}`,
      `--name=${value}`,
      `--agent=${value}`,
    ], JSON.stringify(value));
  }
});

Deno.test("buildCliArgs() keeps each hostile list item a single --flag=value argument", () => {
  const options = optionsOf({
    tools: HOSTILE_VALUES,
    allowed_tools: HOSTILE_VALUES,
    disallowed_tools: HOSTILE_VALUES,
    mcp_config: HOSTILE_VALUES,
    add_dir: HOSTILE_VALUES,
    plugin_dir: HOSTILE_VALUES,
    betas: HOSTILE_VALUES,
  });
  const flags = [
    "tools",
    "allowed-tools",
    "disallowed-tools",
    "mcp-config",
    "add-dir",
    "plugin-dir",
    "betas",
  ];
  assert.deepEqual(options, flags.flatMap((flag) => HOSTILE_VALUES.map((value) => `--${flag}=${value}`)));
  assert.equal(options.length, flags.length * HOSTILE_VALUES.length);
});

Deno.test("buildCliArgs() keeps a hostile debug filter a single --debug=value argument", () => {
  for (const value of HOSTILE_VALUES.filter((value) => value !== "")) {
    assert.deepEqual(optionsOf({ debug: value }), [`--debug=${value}`]);
  }
});

Deno.test("buildCliArgs() keeps hostile JSON content inside one argument", () => {
  const hostile = { "--help": "-p", cmd: "$(rm -rf /); echo pwned", text: "line1\nline2 'q' \"dq\" 🚀" };
  const options = optionsOf({ json_schema: hostile, agents: hostile, settings: hostile });
  assert.equal(options.length, 3);
  assert.deepEqual(JSON.parse(options[0].slice("--json-schema=".length)), hostile);
  assert.deepEqual(JSON.parse(options[1].slice("--agents=".length)), hostile);
  assert.deepEqual(JSON.parse(options[2].slice("--settings=".length)), hostile);
});

Deno.test("buildCliArgs() passes a very long value whole in one argument", () => {
  const long = "x".repeat(1_000_000) + " --help " + "é".repeat(10_000);
  const options = optionsOf({ system_prompt: long, tools: [long] });
  assert.deepEqual(options, [`--system-prompt=${long}`, `--tools=${long}`]);
  assert.equal(options[0].length, "--system-prompt=".length + long.length);
});

Deno.test("buildCliArgs() does not change the request it is given", () => {
  const request: ChatRequest = structuredClone(FULL_REQUEST);
  buildCliArgs(request);
  assert.deepEqual(request, FULL_REQUEST);
});

/** Runs the fake CLI's echo scenario with `args` and returns the argv and the stdin it received. */
async function echoArgv(args: string[]): Promise<{ argv: string[]; prompt: string }> {
  const child = new Deno.Command(FAKE_CLAUDE, {
    args,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode("echo"));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  const decoder = new TextDecoder();
  assert.equal(code, 0, decoder.decode(stderr));
  const lines = decoder.decode(stdout).split("\n");
  const echo = JSON.parse(lines[1]);
  assert.equal(echo.type, "echo");
  const decode = (line: string) => decoder.decode(Uint8Array.from(atob(line), (char) => char.charCodeAt(0)));
  const argv = lines.slice(2, 2 + echo.argc).map(decode);
  assert.equal(argv.length, echo.argc);
  return { argv, prompt: decode(lines[2 + echo.argc]) };
}

Deno.test("buildCliArgs() output reaches a real process argv exactly, hostile values included", async () => {
  // Linux caps one argument at 128 KiB, so "very long" here stays below that.
  const long = "long value ".repeat(9_000);
  const request: ChatRequest = {
    ...FULL_REQUEST,
    model: "--help",
    session_id: "-p",
    system_prompt: "line one\nline two\r\nwith \"double\" and 'single' quotes",
    append_system_prompt: "$(rm -rf /); `id` && echo pwned > /tmp/pwned",
    tools: [],
    allowed_tools: HOSTILE_VALUES,
    add_dir: ["/dir with spaces", "/日本語/🚀"],
    agents: { "--help": { prompt: "-p\n$(id)" } },
    name: long,
  };
  const args = buildCliArgs(request);
  const { argv, prompt } = await echoArgv(args);
  assert.deepEqual(argv, args);
  assert.equal(prompt, "echo");
  assert.ok(argv.includes("--tools="));
  assert.ok(argv.includes(`--name=${long}`));
});

Deno.test("buildCliArgs() output for a minimal request reaches the process as BASE_ARGS only", async () => {
  const { argv } = await echoArgv(buildCliArgs({ prompt: "echo", cwd: "/work" }));
  assert.deepEqual(argv, [...BASE_ARGS]);
});
