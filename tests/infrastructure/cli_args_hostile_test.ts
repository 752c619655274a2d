import assert from "node:assert/strict";
import type { ChatRequest } from "../../domain/chat_request.ts";
import { BASE_ARGS, buildCliArgs } from "../../infrastructure/cli_args.ts";
import { FULL_REQUEST, HOSTILE_VALUES, optionsOf } from "./cli_args_requests.ts";
import { userMessageLine } from "../../application/cli_protocol.ts";
import { echoedPrompt } from "../support/start_with_prompt.ts";

const FAKE_CLAUDE = new URL("../../testkit/fake_claude.sh", import.meta.url).pathname;

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
  await writer.write(new TextEncoder().encode(userMessageLine({ text: "echo" }) + "\n"));
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
  return { argv, prompt: echoedPrompt(lines[2 + echo.argc]) };
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
