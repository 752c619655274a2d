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

Deno.test("fake: several tool_use blocks stream one after another, each from an empty input", async () => {
  await using api = await startFakeMessagesApi();
  const calls = [
    { name: "Write", input: { file_path: "/a", content: "A".repeat(300) } },
    { name: "Bash", input: { command: "ls" }, id: "toolu_given" },
  ];
  api.enqueue(reply.toolUses(calls, { text: "two tools" }), reply.toolUses(calls));

  const events = sseEvents(await (await post(api, { model: "m", stream: true, messages: [] })).text());
  const starts = events.filter((e) => e.event === "content_block_start").map((e) => e.data);
  assert.deepEqual(starts.map((s) => s.index), [0, 1, 2]);
  assert.deepEqual(starts[1].content_block, {
    type: "tool_use",
    id: "toolu_fake_1_1",
    name: "Write",
    input: {},
  });
  assert.deepEqual(starts[2].content_block, { type: "tool_use", id: "toolu_given", name: "Bash", input: {} });
  for (const [index, call] of [[1, calls[0]], [2, calls[1]]] as const) {
    const blockEvents = events.filter((e) => e.data.index === index).map((e) => e.event);
    assert.equal(blockEvents[0], "content_block_start");
    assert.equal(blockEvents.at(-1), "content_block_stop", "a block ends before the next starts");
    const json = events.filter((e) => e.data.index === index && e.event === "content_block_delta")
      .map((e) => (e.data.delta as { partial_json: string }).partial_json).join("");
    assert.deepEqual(JSON.parse(json), call.input);
  }
  assert.ok(
    events.findIndex((e) => e.event === "content_block_stop" && e.data.index === 1) <
      events.findIndex((e) => e.event === "content_block_start" && e.data.index === 2),
  );

  const json = await (await post(api, { model: "m", stream: false, messages: [] })).json();
  assert.equal(json.stop_reason, "tool_use");
  assert.deepEqual(json.content.map((b: { id: string }) => b.id), ["toolu_fake_2_1", "toolu_given"]);
});

Deno.test("fake: reply.askUserQuestion fills multiSelect and refuses what the CLI's schema refuses", () => {
  const options = [{ label: "Blue", description: "calm" }, { label: "Red", description: "loud" }];
  const ask = reply.askUserQuestion([{ question: "Color?", header: "Color", options }]);
  assert.equal(ask.name, "AskUserQuestion");
  assert.deepEqual(ask.input, {
    questions: [{ question: "Color?", header: "Color", options, multiSelect: false }],
  });
  assert.throws(() => reply.askUserQuestion([]), /1-4 questions, not 0/);
  assert.throws(
    () => reply.askUserQuestion([{ question: "Color?", header: "C", options: [options[0]] }]),
    /"Color\?" needs 2-4 options, not 1/,
  );
  assert.throws(
    () => reply.askUserQuestion([{ question: "Color?", header: "C", options: [options[0], options[0]] }]),
    /repeats an option label/,
  );
  const q = { question: "Same?", header: "S", options };
  assert.throws(() => reply.askUserQuestion([q, q]), /"Same\?" is asked twice/);
  assert.throws(() => reply.toolUses([]), /at least one tool call/);
});

Deno.test("fake: records tool outcomes, images of the last user message and the history's text per role", async () => {
  await using api = await startFakeMessagesApi();
  const image = { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" };
  await (await post(api, {
    model: "m",
    messages: [
      {
        role: "user",
        content: [{ type: "image", source: { type: "url", url: "https://x/old.png" } }, {
          type: "text",
          text: "first",
        }],
      },
      { role: "assistant", content: [{ type: "text", text: "partial ans" }, { type: "tool_use", id: "t1" }] },
      { role: "system", content: "env note" },
      {
        role: "user",
        content: [
          {
            type: "tool_result",
            tool_use_id: "t1",
            content: [{ type: "text", text: "out" }, { type: "image" }],
          },
          { type: "tool_result", tool_use_id: "t2", content: "boom", is_error: true },
          { type: "image", source: image },
          { type: "text", text: "second" },
        ],
      },
    ],
  })).body?.cancel();
  const req = api.requests[0];
  assert.deepEqual(req.toolOutcomes, [
    { toolUseId: "t1", text: "out", isError: false },
    { toolUseId: "t2", text: "boom", isError: true },
  ]);
  assert.deepEqual(req.lastUserImages, [image]);
  assert.deepEqual(req.historyText, { user: "first\nsecond", assistant: "partial ans", system: "env note" });
});

Deno.test("fake: a client that hangs up mid-stream is counted once, and a finished stream is not", async () => {
  await using api = await startFakeMessagesApi();
  api.enqueue(reply.slowText("z".repeat(50), 50, 30), reply.text("whole"));
  const reader = (await post(api, { model: "m", stream: true, messages: [] })).body!.getReader();
  await reader.read();
  await reader.cancel();
  await (await post(api, { model: "m", stream: true, messages: [] })).text();
  const deadline = Date.now() + 2000;
  while (api.openStreams > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(api.openStreams, 0);
  assert.equal(api.cutStreams, 1);
});
