/**
 * The gateway end to end, a plain chat: the real server (`main.ts` as its own process) runs the REAL
 * `claude` CLI against a local fake Messages API; the stream carries the CLI's lines verbatim, its tools
 * work, and a session continues.
 *
 * Run: `deno test --allow-all tests/e2e/chat_stream_e2e_test.ts`
 */

import assert from "node:assert/strict";
import { assistantText, type Json, linesOf, messageTexts, userText } from "./chat_lines.ts";
import { reply } from "./fake_messages_api.ts";
import { newMarker, within } from "./gateway_harness.ts";
import { gatewayTest, type ScenarioContext } from "./gateway_scenarios.ts";

async function streamsLinesVerbatim({ gateway }: ScenarioContext): Promise<void> {
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
  // The stream is exactly `id: N` + `event: message` + `data: <line>` per line, then done: nothing added or
  // reframed, the ids 1, 2, 3… in order.
  const framed = outcome.events.map((event, index) =>
    `id: ${index + 1}\nevent: ${event.event}\ndata: ${event.data}\n\n`
  ).join("");
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
}

async function writesFileWithTool({ gateway }: ScenarioContext): Promise<void> {
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
}

async function continuesSession({ gateway }: ScenarioContext): Promise<void> {
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
}

gatewayTest("the gateway streams a real CLI chat verbatim, runs its tools and continues its sessions", {
  "a chat streams the CLI's init, assistant and result lines verbatim, then done": streamsLinesVerbatim,
  "'Create hello.txt with Hello World' writes the file through the Write tool": writesFileWithTool,
  "a chat with an earlier session_id continues that session": continuesSession,
});
