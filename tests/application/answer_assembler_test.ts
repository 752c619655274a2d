import assert from "node:assert/strict";
import { AnswerAssembler } from "../../application/answer_assembler.ts";

const CWD = "/work/app";

function assembler(toolTrace = false): AnswerAssembler {
  return new AnswerAssembler({ toolTrace, cwd: CWD });
}

const event = (inner: Record<string, unknown>, parent: string | null = null) => ({
  type: "stream_event",
  event: inner,
  session_id: "s-1",
  parent_tool_use_id: parent,
});
const start = (id: string) => event({ type: "message_start", message: { id } });
const delta = (text: string) =>
  event({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } });
const blockStop = () => event({ type: "content_block_stop", index: 0 });
const assistant = (id: string, content: unknown[], extra: Record<string, unknown> = {}) => ({
  type: "assistant",
  message: { id, content, ...extra },
  parent_tool_use_id: null,
  session_id: "s-1",
});

Deno.test("AnswerAssembler passes text deltas on as they come, and takes no text twice from the whole message", () => {
  const answer = assembler();
  assert.equal(answer.push({ type: "system", subtype: "init", session_id: "s-1" }), "");
  assert.equal(answer.sessionId, "s-1");
  assert.equal(answer.push(start("m1")), "");
  assert.equal(answer.push(delta("Hel")), "Hel");
  assert.equal(answer.push(delta("lo")), "lo");
  assert.equal(answer.push(blockStop()), "");
  assert.equal(answer.push(assistant("m1", [{ type: "text", text: "Hello" }])), "");
  assert.equal(answer.text, "Hello");
});

Deno.test("AnswerAssembler takes a message whose deltas never came whole, and separates text blocks", () => {
  const answer = assembler();
  assert.equal(answer.push(assistant("m1", [{ type: "text", text: "First." }])), "First.");
  assert.equal(answer.push(assistant("m2", [{ type: "text", text: "Second." }])), "\n\nSecond.");
  assert.equal(answer.push(start("m3")), "");
  assert.equal(answer.push(delta("Third.")), "\n\nThird.");
  assert.equal(answer.text, "First.\n\nSecond.\n\nThird.");
});

Deno.test("AnswerAssembler shows tool calls only with the trace on, paths relative to the chat's directory", () => {
  const tool = assistant("m1", [
    { type: "text", text: "Writing." },
    { type: "tool_use", name: "Write", input: { file_path: `${CWD}/hello.txt`, content: "x" } },
    { type: "tool_use", name: "Bash", input: { command: "ls -la\necho more" } },
    { type: "tool_use", name: "TodoWrite", input: { todos: [] } },
  ]);
  const quiet = assembler(false);
  assert.equal(quiet.push(tool), "Writing.");
  const traced = assembler(true);
  assert.equal(
    traced.push(tool),
    "Writing.\n\n⏺ Write(hello.txt)\n\n⏺ Bash(ls -la)\n\n⏺ TodoWrite",
  );
  assert.equal(traced.push(assistant("m2", [{ type: "text", text: "Done." }])), "\n\nDone.");
});

Deno.test("AnswerAssembler leaves out what subagents say", () => {
  const answer = assembler(true);
  assert.equal(
    answer.push(event({ type: "content_block_delta", delta: { type: "text_delta", text: "x" } }, "t1")),
    "",
  );
  assert.equal(
    answer.push({ ...assistant("m9", [{ type: "text", text: "inner" }]), parent_tool_use_id: "t1" }),
    "",
  );
  assert.equal(answer.text, "");
});

Deno.test("AnswerAssembler reads the result line: usage, error, session and the last stop reason", () => {
  const answer = assembler();
  answer.push(start("m1"));
  answer.push(event({ type: "message_delta", delta: { stop_reason: "max_tokens" } }));
  answer.push({
    type: "result",
    subtype: "success",
    is_error: false,
    result: "answer",
    session_id: "s-2",
    usage: { input_tokens: 3, output_tokens: 7, cache_read_input_tokens: 11, server_tool_use: {} },
  });
  assert.deepEqual(answer.result, {
    isError: false,
    text: "answer",
    usage: { input_tokens: 3, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 11 },
    sessionId: "s-2",
    stopReason: "max_tokens",
  });
  const failed = assembler();
  failed.push({ type: "result", is_error: true, result: "API Error: 500" });
  assert.equal(failed.result?.isError, true);
  assert.equal(failed.result?.text, "API Error: 500");
  assert.equal(failed.result?.usage, null);
});

Deno.test("AnswerAssembler ignores lines it does not know", () => {
  const answer = assembler(true);
  for (
    const line of [{ type: "permission_request" }, { type: "system", subtype: "status" }, { nothing: 1 }]
  ) {
    assert.equal(answer.push(line), "");
  }
  assert.equal(answer.text, "");
  assert.equal(answer.result, null);
});
