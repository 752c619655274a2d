/**
 * Proves the fake Messages API's richer answers and request accessors against the REAL `claude` CLI: several
 * tool_use blocks in one answer, an `AskUserQuestion` call answered over the stdio permission channel, image
 * blocks, and a slow answer the CLI cuts on interrupt.
 *
 * Run: `deno test --allow-all tests/e2e/claude_cli_turns_test.ts`
 */

import assert from "node:assert/strict";
import { linesOf } from "./chat_lines.ts";
import { fakeApiEnv, makeTempDirs, runClaude, STREAM_JSON_ARGS } from "./claude_cli.ts";
import {
  allowTool,
  type ClaudeSession,
  controlRequest,
  startClaudeSession,
  userMessage,
} from "./claude_session.ts";
import { type FakeMessagesApi, reply, startFakeMessagesApi } from "./fake_messages_api.ts";
import { waitUntil } from "./waiting.ts";

/** A 1×1 PNG, small enough that the CLI passes it on unchanged. */
const PNG_1X1 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/** Runs one test with a fresh fake and fresh temp HOME/cwd (and TMPDIR, where the CLI saves images). */
async function withFakeAndDirs(
  fn: (
    api: FakeMessagesApi,
    dirs: { home: string; cwd: string; env: Record<string, string> },
  ) => Promise<void>,
): Promise<void> {
  const api = await startFakeMessagesApi();
  const dirs = await makeTempDirs("cc2api-turns-");
  const tmp = `${dirs.home}/tmp`;
  await Deno.mkdir(tmp);
  try {
    await fn(api, { ...dirs, env: fakeApiEnv(api, dirs.home, { TMPDIR: tmp }) });
  } finally {
    await api.close();
    await dirs.cleanup();
  }
}

/** Runs `fn` with a session and always ends it. */
async function withSession(
  session: ClaudeSession,
  fn: (session: ClaudeSession) => Promise<void>,
): Promise<void> {
  try {
    await fn(session);
  } finally {
    await session.end();
  }
}

const isResult = (n: number) => (line: Record<string, unknown>) =>
  line.type === "result" && line.result_index === n;

Deno.test("real CLI: two tool_use blocks in one answer both run and both tool_results come back", async () => {
  await withFakeAndDirs(async (api, { cwd, home, env }) => {
    const missing = `${home}/no-such-dir`;
    api.enqueue(
      reply.toolUses([
        { name: "Write", input: { file_path: `${cwd}/a.txt`, content: "A" } },
        { name: "Write", input: { file_path: `${cwd}/b.txt`, content: "B" } },
        { name: "Bash", input: { command: `ls ${missing}`, description: "list a missing dir" } },
      ], { text: "Writing both." }),
      reply.text("done"),
    );
    const run = await runClaude({
      args: [...STREAM_JSON_ARGS, "--permission-mode=acceptEdits"],
      prompt: "write two files",
      cwd,
      env,
    });

    assert.equal(run.code, 0, run.stderr);
    assert.equal(await Deno.readTextFile(`${cwd}/a.txt`), "A");
    assert.equal(await Deno.readTextFile(`${cwd}/b.txt`), "B");
    const second = await api.waitForRequest((r) => r.toolOutcomes.length > 0, 1000);
    assert.deepEqual(second.toolOutcomes.map((o) => [o.toolUseId, o.isError]), [
      ["toolu_fake_1_1", false],
      ["toolu_fake_1_2", false],
      ["toolu_fake_1_3", true],
    ]);
    assert.match(second.toolOutcomes[0].text, /File created successfully at: .*a\.txt/);
    assert.match(second.toolOutcomes[2].text, /no-such-dir/);
    assert.deepEqual(second.toolUses.map((b) => b.name), ["Write", "Write", "Bash"]);
    assert.match(second.historyText.assistant, /Writing both\./);
    assert.equal(linesOf(run, "result")[0]?.result, "done");
  });
});

Deno.test("real CLI: reply.askUserQuestion is a valid AskUserQuestion call; the client's answer reaches the API", async () => {
  await withFakeAndDirs(async (api, { cwd, env }) => {
    const ask = reply.askUserQuestion([{
      question: "Which color do you want?",
      header: "Color",
      options: [{ label: "Blue", description: "calm" }, { label: "Red", description: "loud" }],
    }]);
    api.enqueue(ask, reply.text("Blue it is."));
    const session = startClaudeSession({ cwd, env, extraArgs: ["--permission-prompt-tool=stdio"] });
    await withSession(session, async () => {
      await session.send(userMessage("pick a color"));
      const prompt = await session.waitForLine(
        (l) => l.type === "control_request" && (l.request as { subtype?: string }).subtype === "can_use_tool",
        20_000,
        "the AskUserQuestion prompt",
      );
      const request = prompt.request as { tool_name: string; input: Record<string, unknown> };
      assert.equal(request.tool_name, "AskUserQuestion");
      assert.deepEqual(request.input, ask.input, "the CLI took the input as built");
      await session.send(allowTool(String(prompt.request_id), {
        ...request.input,
        answers: { "Which color do you want?": "Blue" },
      }));
      const second = await api.waitForRequest((r) => r.toolOutcomes.length > 0, 20_000);
      assert.equal(second.toolOutcomes[0].isError, false);
      assert.match(second.toolOutcomes[0].text, /"Which color do you want\?"="Blue"/);
      const result = await session.waitForLine(isResult(0), 20_000, "the result");
      assert.equal(result.result, "Blue it is.");
    });
  });
});

Deno.test("real CLI: an image block of the user message is recorded as the last user message's image", async () => {
  await withFakeAndDirs(async (api, { cwd, env }) => {
    api.enqueue(reply.text("a pixel"));
    const session = startClaudeSession({ cwd, env });
    await withSession(session, async () => {
      await session.send(userMessage([
        { type: "image", source: { type: "base64", media_type: "image/png", data: PNG_1X1 } },
        { type: "text", text: "what is this?" },
      ]));
      const request = await api.waitForRequest(undefined, 20_000);
      assert.deepEqual(request.lastUserImages, [{ type: "base64", media_type: "image/png", data: PNG_1X1 }]);
      assert.match(request.lastUserText, /what is this\?/);
      await session.waitForLine(isResult(0), 20_000, "the result");
    });
  });
});

Deno.test("real CLI: an interrupt cuts a slow answer; the fake closes the stream and the next history holds the partial text", async () => {
  await withFakeAndDirs(async (api, { cwd, env }) => {
    // 20 s of answer: the interrupt, sent 0.8 s in, cuts it even on a slow machine.
    const whole = "word ".repeat(200);
    api.enqueue(reply.slowText(whole, 200, 100), reply.text("after"));
    const session = startClaudeSession({ cwd, env });
    await withSession(session, async () => {
      await session.send(userMessage("talk slowly"));
      await api.waitForRequest(undefined, 20_000);
      await waitUntil(() => api.openStreams === 1, 5_000, "the slow stream is open");
      await new Promise((resolve) => setTimeout(resolve, 800));
      await session.send(controlRequest("int1", { subtype: "interrupt" }));
      const interrupted = await session.waitForLine(isResult(0), 20_000, "the interrupted result");
      assert.equal(interrupted.terminal_reason, "aborted_streaming");
      await waitUntil(() => api.openStreams === 0, 5_000, "the fake saw the stream closed");
      assert.equal(api.cutStreams, 1);

      await session.send(userMessage("go on"));
      const next = await api.waitForRequest((r) => r.lastUserText.includes("go on"), 20_000);
      const partial = next.historyText.assistant;
      assert.ok(partial.startsWith("word ") && partial.length < whole.length, `partial answer: ${partial}`);
      assert.match(next.historyText.user, /\[Request interrupted by user\]/);
      await session.waitForLine(isResult(1), 20_000, "the second result");
    });
    assert.equal(api.openStreams, 0);
  });
});
