/**
 * Proves the fake Messages API is good enough for the REAL `claude` CLI (located via `CLAUDE_PATH` or
 * `PATH`): answers, tools, errors, retries, large answers and interruption.
 *
 * Run: `deno test --allow-all tests/e2e/claude_cli_test.ts`
 */

import assert from "node:assert/strict";
import { assistantText, linesOf } from "./chat_lines.ts";
import {
  type ClaudeRun,
  fakeApiEnv,
  makeTempDirs,
  resolveClaudePath,
  runClaude,
  spawnClaude,
  STREAM_JSON_ARGS,
} from "./claude_cli.ts";
import { type FakeMessagesApi, reply, startFakeMessagesApi } from "./fake_messages_api.ts";

const CLI_ARGS = [...STREAM_JSON_ARGS, "--permission-mode=acceptEdits"];

/** Fails the whole file early, with a clear message, when the CLI is missing. */
Deno.test("claude CLI is available (CLAUDE_PATH or PATH)", () => {
  const path = resolveClaudePath();
  assert.ok(path.length > 0);
});

/** Runs one test with a fresh fake and fresh temp HOME/cwd, always cleaned up. */
async function withFakeAndDirs(
  fn: (api: FakeMessagesApi, dirs: { home: string; cwd: string }) => Promise<void>,
): Promise<void> {
  const api = await startFakeMessagesApi();
  const dirs = await makeTempDirs();
  try {
    await fn(api, dirs);
  } finally {
    await api.close();
    await dirs.cleanup();
  }
}

function resultLine(run: ClaudeRun): Record<string, unknown> {
  const results = linesOf(run, "result");
  assert.equal(results.length, 1, `expected one result line, got:\n${run.stdout}\nstderr:\n${run.stderr}`);
  return results[0];
}

Deno.test("real CLI: a text answer yields system/init, assistant and result lines", async () => {
  await withFakeAndDirs(async (api, { home, cwd }) => {
    api.enqueue(reply.text("Hi from the fake!"));
    const run = await runClaude({ args: CLI_ARGS, prompt: "say hi", cwd, env: fakeApiEnv(api, home) });

    assert.equal(run.code, 0, run.stderr);
    const [init] = run.lines;
    assert.equal(init.type, "system");
    assert.equal(init.subtype, "init");
    assert.equal(init.cwd, cwd);
    assert.equal(init.permissionMode, "acceptEdits");
    assert.equal(typeof init.session_id, "string");
    assert.ok(Array.isArray(init.tools) && init.tools.includes("Write"));

    const assistants = linesOf(run, "assistant");
    assert.equal(assistants.length, 1);
    assert.equal(assistantText(assistants[0]), "Hi from the fake!");

    const result = resultLine(run);
    assert.equal(result.subtype, "success");
    assert.equal(result.is_error, false);
    assert.equal(result.result, "Hi from the fake!");
    assert.equal(result.session_id, init.session_id);
    assert.equal(run.lines.at(-1), result, "result is the last line");

    // What the fake saw.
    assert.equal(api.messageRequests.length, 1);
    const req = api.messageRequests[0];
    assert.equal(req.pathWithQuery, "/v1/messages?beta=true");
    assert.equal(req.stream, true);
    assert.equal(req.model, init.model);
    assert.equal(req.lastUserText.trim(), "say hi");
    assert.ok(req.system.length > 100, "system prompt flattened to text");
    assert.ok(req.toolNames.includes("Write"));
    assert.equal(req.headers["x-api-key"], "sk-ant-fake-key");
    assert.equal(req.headers["x-claude-code-session-id"], init.session_id);
  });
});

Deno.test("real CLI: a Write tool_use creates the file and the tool_result comes back", async () => {
  await withFakeAndDirs(async (api, { home, cwd }) => {
    const target = `${cwd}/hello.txt`;
    api.respondWith((req) =>
      req.toolResults.length > 0
        ? reply.text("File written.")
        : reply.toolUse("Write", { file_path: target, content: "hello from tool_use\n" }, {
          id: "toolu_write_1",
        })
    );
    const run = await runClaude({
      args: CLI_ARGS,
      prompt: "write hello.txt",
      cwd,
      env: fakeApiEnv(api, home),
    });

    assert.equal(run.code, 0, run.stderr);
    assert.equal(await Deno.readTextFile(target), "hello from tool_use\n");

    const second = await api.waitForRequest((r) => r.toolResults.length > 0, 1000);
    assert.equal(second.toolResults[0].tool_use_id, "toolu_write_1");
    assert.equal(second.toolResults[0].is_error ?? false, false);
    assert.deepEqual(second.toolUses.map((b) => b.name), ["Write"]);
    assert.equal(api.messageRequests.length, 2);

    const toolResultLines = linesOf(run, "user");
    assert.equal(toolResultLines.length, 1);
    const result = resultLine(run);
    assert.equal(result.result, "File written.");
    assert.equal(result.num_turns, 2);
  });
});

Deno.test("real CLI: HTTP 500 ends the run fast with an error result (CLAUDE_CODE_MAX_RETRIES=0)", async () => {
  await withFakeAndDirs(async (api, { home, cwd }) => {
    api.respondWith(() => reply.error(500, "fake overload"));
    const run = await runClaude({
      args: CLI_ARGS,
      prompt: "hi",
      cwd,
      env: fakeApiEnv(api, home),
      timeoutMs: 20_000,
    });

    assert.equal(run.timedOut, false);
    assert.equal(run.code, 1);
    assert.ok(run.durationMs < 10_000, `took ${run.durationMs} ms`);
    assert.equal(api.messageRequests.length, 1, "no retries");
    const result = resultLine(run);
    assert.equal(result.is_error, true);
    assert.equal(result.api_error_status, 500);
    assert.equal(result.terminal_reason, "api_error");
    assert.match(String(result.result), /API Error: 500 fake overload/);
  });
});

Deno.test("real CLI: CLAUDE_CODE_MAX_RETRIES=1 retries a 500 once, with a system/api_retry line", async () => {
  await withFakeAndDirs(async (api, { home, cwd }) => {
    api.enqueue(reply.error(500), reply.text("recovered"));
    const env = fakeApiEnv(api, home, { CLAUDE_CODE_MAX_RETRIES: "1" });
    const run = await runClaude({ args: CLI_ARGS, prompt: "hi", cwd, env });

    assert.equal(run.code, 0, run.stderr);
    const retries = linesOf(run, "system", "api_retry");
    assert.equal(retries.length, 1);
    assert.equal(retries[0].error_status, 500);
    assert.equal(retries[0].max_retries, 1);
    assert.equal(api.messageRequests.length, 2);
    assert.equal(resultLine(run).result, "recovered");
  });
});

Deno.test("real CLI: a persistent HTTP 400 ends with an error result (after beta-header fallbacks)", async () => {
  await withFakeAndDirs(async (api, { home, cwd }) => {
    api.respondWith(() => reply.error(400, "bad request from fake"));
    const run = await runClaude({ args: CLI_ARGS, prompt: "hi", cwd, env: fakeApiEnv(api, home) });

    assert.equal(run.code, 1);
    const result = resultLine(run);
    assert.equal(result.is_error, true);
    assert.equal(result.api_error_status, 400);
    assert.match(String(result.result), /API Error: 400 bad request from fake/);
    // The CLI re-sends a 400ed request with fewer `anthropic-beta` values, so expect >= 1 requests.
    assert.ok(api.messageRequests.length >= 1);
  });
});

Deno.test("real CLI: a 400 KB answer arrives intact in the result", async () => {
  await withFakeAndDirs(async (api, { home, cwd }) => {
    const big = reply.largeText(400_000);
    api.enqueue(big);
    const run = await runClaude({ args: CLI_ARGS, prompt: "say a lot", cwd, env: fakeApiEnv(api, home) });

    assert.equal(run.code, 0, run.stderr);
    const result = resultLine(run);
    assert.equal(typeof result.result, "string");
    assert.equal((result.result as string).length, 400_000);
    assert.ok(result.result === big.text, "result text differs from the answer");
    assert.equal(assistantText(linesOf(run, "assistant")[0]), big.text);
  });
});

Deno.test("real CLI: SIGINT during a slow stream prints an interrupted result and exits 0", async () => {
  await withFakeAndDirs(async (api, { home, cwd }) => {
    api.enqueue(reply.slowText("word ".repeat(50), 50, 100));
    const proc = spawnClaude({ args: CLI_ARGS, prompt: "talk slowly", cwd, env: fakeApiEnv(api, home) });
    await api.waitForRequest(undefined, 15_000);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(api.openStreams, 1, "the slow stream is in flight");
    proc.child.kill("SIGINT");
    const run = await proc.done;

    assert.equal(run.code, 0, run.stderr);
    const partial = assistantText(linesOf(run, "assistant")[0]);
    assert.ok(partial.startsWith("word ") && partial.length < 250, `partial text: ${partial}`);
    const interrupted = linesOf(run, "user").map((l) => JSON.stringify(l));
    assert.ok(interrupted.some((l) => l.includes("[Request interrupted by user]")));
    // The CLI prints its result line after SIGINT in most runs, not all (about 4 in 19 without one).
    const results = linesOf(run, "result");
    assert.ok(results.length <= 1, run.stdout);
    if (results.length === 1) {
      assert.equal(results[0].subtype, "error_during_execution");
      assert.equal(results[0].is_error, true);
      assert.equal(results[0].terminal_reason, "aborted_streaming");
    }
    const deadline = Date.now() + 5000;
    while (api.openStreams > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(api.openStreams, 0, "the fake noticed the disconnect");
  });
});
