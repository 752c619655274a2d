/**
 * The fake Messages API on its own, over plain HTTP: what it records, how it streams, its errors and routes,
 * and that it stops cleanly.
 *
 * Run: `deno test --allow-all tests/e2e/fake_messages_api_test.ts`
 */

import assert from "node:assert/strict";
import { type FakeMessagesApi, reply, startFakeMessagesApi } from "./fake_messages_api.ts";

async function post(api: FakeMessagesApi, body: unknown, path = "/v1/messages?beta=true"): Promise<Response> {
  return await fetch(`${api.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "k" },
    body: JSON.stringify(body),
  });
}

function sseEvents(text: string): { event: string; data: Record<string, unknown> }[] {
  return text.split("\n\n").filter((b) => b.trim()).map((block) => {
    const event = /^event: (.*)$/m.exec(block)?.[1] ?? "";
    const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "null");
    return { event, data };
  });
}

Deno.test("fake: records requests with flattened system, tool names and messages", async () => {
  await using api = await startFakeMessagesApi({ defaultText: "default!" });
  const res = await post(api, {
    model: "claude-test-1",
    stream: false,
    system: [{ type: "text", text: "part one" }, { type: "text", text: "part two" }],
    tools: [{ name: "Read", input_schema: {} }, { name: "Write", input_schema: {} }],
    messages: [
      { role: "user", content: "hello" },
      { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "Read", input: {} }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "ok" }] },
    ],
  });
  const json = await res.json();
  assert.equal(res.status, 200);
  assert.equal(json.content[0].text, "default!");
  assert.equal(json.model, "claude-test-1");

  const req = api.requests[0];
  assert.equal(req.kind, "messages");
  assert.equal(req.system, "part one\npart two");
  assert.deepEqual(req.toolNames, ["Read", "Write"]);
  assert.equal(req.messages[0].content[0].text, "hello");
  assert.equal(req.toolResults[0].tool_use_id, "t1");
  assert.equal(req.toolUses[0].name, "Read");

  await (await post(api, { model: "m", system: "plain", messages: [] })).body?.cancel();
  assert.equal(api.requests[1].system, "plain");
});

Deno.test("fake: streams text and tool_use in Anthropic's SSE event order", async () => {
  await using api = await startFakeMessagesApi();
  api.enqueue(reply.slowText("abcdef", 3, 1), reply.toolUse("Write", { file_path: "/x", content: "y" }));

  const text = sseEvents(await (await post(api, { model: "m", stream: true, messages: [] })).text());
  assert.deepEqual(text.map((e) => e.event), [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_delta",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
  ]);
  assert.equal(text.map((e) => (e.data.delta as { text?: string })?.text ?? "").join(""), "abcdef");

  const tool = sseEvents(await (await post(api, { model: "m", stream: true, messages: [] })).text());
  const json = tool.map((e) => (e.data.delta as { partial_json?: string })?.partial_json ?? "").join("");
  assert.deepEqual(JSON.parse(json), { file_path: "/x", content: "y" });
  assert.equal(
    (tool.find((e) => e.event === "content_block_start")!.data.content_block as { name: string }).name,
    "Write",
  );
  assert.equal(
    (tool.find((e) => e.event === "message_delta")!.data.delta as { stop_reason: string }).stop_reason,
    "tool_use",
  );
});

Deno.test("fake: HTTP errors carry Anthropic's error JSON; count_tokens and unknown routes answer", async () => {
  await using api = await startFakeMessagesApi();
  api.enqueue(reply.error(500), reply.error(400, "nope"));
  const r500 = await post(api, { model: "m", stream: true, messages: [] });
  assert.equal(r500.status, 500);
  assert.deepEqual((await r500.json()).error, { type: "api_error", message: "Fake 500 error" });
  const r400 = await post(api, { model: "m", messages: [] });
  assert.equal(r400.status, 400);
  assert.deepEqual((await r400.json()).error, { type: "invalid_request_error", message: "nope" });

  const count = await post(api, { model: "m", messages: [] }, "/v1/messages/count_tokens?beta=true");
  assert.equal(typeof (await count.json()).input_tokens, "number");
  const other = await post(api, {}, "/v1/other");
  assert.equal(other.status, 404);
  await other.body?.cancel();
  assert.deepEqual(api.requests.map((r) => r.kind), ["messages", "messages", "count_tokens", "other"]);
  assert.equal(api.messageRequests.length, 2);
});

Deno.test("fake: a slow stream stops cleanly when the client disconnects (no leaked timers)", async () => {
  await using api = await startFakeMessagesApi();
  api.enqueue(reply.slowText("x".repeat(100), 100, 50));
  const res = await post(api, { model: "m", stream: true, messages: [] });
  const reader = res.body!.getReader();
  await reader.read();
  assert.equal(api.openStreams, 1);
  await reader.cancel();
  const deadline = Date.now() + 2000;
  while (api.openStreams > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(api.openStreams, 0);
});

Deno.test("fake: close() aborts in-flight streams and pending waits", async () => {
  const api = await startFakeMessagesApi();
  api.enqueue(reply.slowText("y".repeat(100), 100, 1000));
  const res = await post(api, { model: "m", stream: true, messages: [] });
  const reader = res.body!.getReader();
  await reader.read();
  const waiting = assert.rejects(api.waitForRequest((r) => r.model === "never", 60_000), /closed/);
  const started = Date.now();
  await api.close();
  assert.ok(Date.now() - started < 2000, "close() did not wait for the stream to finish");
  await waiting;
  await assert.rejects(async () => {
    while (!(await reader.read()).done) { /* drain */ }
  });
});
