import assert from "node:assert/strict";
import { parseSse } from "../../../testkit/sse_client.ts";
import type { FakeRun } from "../../support/fakes.ts";
import { API_KEY, AUTH, buildTestApp } from "../../support/test_app.ts";
import { waitFor } from "../../../testkit/wait_for.ts";

type TestApp = ReturnType<typeof buildTestApp>;
// deno-lint-ignore no-explicit-any
type Json = any;

const KEYED = { Authorization: `Bearer ${API_KEY}` };
const SESSION = "5a1b2c3d-0000-4000-8000-00000000000a";

/** A door request with the test key. */
function post(body: unknown, headers: Record<string, string> = {}): RequestInit {
  return {
    method: "POST",
    headers: { "Content-Type": "application/json", ...KEYED, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

const line = (value: unknown) => `${JSON.stringify(value)}\n`;
const init = (sessionId = SESSION) => line({ type: "system", subtype: "init", session_id: sessionId });
const streamEvent = (event: unknown) => line({ type: "stream_event", event, parent_tool_use_id: null });
const textDelta = (text: string) =>
  streamEvent({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } });
const result = (usage = { input_tokens: 5, output_tokens: 9, cache_read_input_tokens: 2 }) =>
  line({ type: "result", subtype: "success", is_error: false, result: "x", session_id: SESSION, usage });
const whole = (text: string, id = "m1") =>
  line({ type: "assistant", message: { id, content: [{ type: "text", text }] }, parent_tool_use_id: null });

/** Sends a door request and answers it with a CLI run that prints `text` whole; returns the response and run. */
async function answered(
  test: TestApp,
  path: string,
  body: unknown,
  options: { text?: string; headers?: Record<string, string>; sessionId?: string } = {},
): Promise<{ response: Response; run: FakeRun }> {
  const pending = test.app.request(path, post(body, options.headers));
  const run = await test.runner.nextRun();
  run.write(init(options.sessionId));
  run.write(whole(options.text ?? "the answer"));
  run.write(result());
  run.end();
  return { response: await pending, run };
}

const user = (content: string) => ({ role: "user", content });
const assistantTurn = (content: string) => ({ role: "assistant", content });
const chatBody = (messages: unknown[], extra: object = {}) => ({ model: "claude-code", messages, ...extra });

Deno.test("POST /v1/chat/completions streams deltas as chunks, then finish, usage and [DONE]", async () => {
  const test = buildTestApp();
  const pending = test.app.request(
    "/v1/chat/completions",
    post(chatBody([user("hi")], { stream: true, stream_options: { include_usage: true } })),
  );
  const run = await test.runner.nextRun();
  run.write(init());
  const response = await pending;
  assert.equal(response.status, 200);
  assert.match(response.headers.get("Content-Type") ?? "", /^text\/event-stream/);
  assert.equal(
    response.headers.get("X-Session-ID"),
    SESSION,
    "the session is known before the stream starts",
  );
  run.write(streamEvent({ type: "message_start", message: { id: "m1" } }));
  run.write(textDelta("Hel"));
  run.write(textDelta("lo"));
  run.write(streamEvent({ type: "message_delta", delta: { stop_reason: "end_turn" } }));
  run.write(whole("Hello"));
  run.write(result());
  run.end();
  const events = parseSse(await response.text()).map((event) => event.data);
  assert.equal(events.at(-1), "[DONE]");
  const chunks = events.slice(0, -1).map((data) => JSON.parse(data));
  assert.deepEqual(chunks.map((chunk: Json) => chunk.choices[0]?.delta ?? null), [
    { role: "assistant", content: "" },
    { content: "Hel" },
    { content: "lo" },
    {},
    null,
  ]);
  assert.equal(chunks[3].choices[0].finish_reason, "stop");
  assert.ok(
    chunks.every((chunk: Json) => chunk.object === "chat.completion.chunk" && chunk.model === "claude-code"),
  );
  assert.deepEqual(chunks[4].usage, {
    prompt_tokens: 7,
    completion_tokens: 9,
    total_tokens: 16,
    prompt_tokens_details: { cached_tokens: 2 },
  });
  assert.equal(run.request.include_partial_messages, true);
  assert.equal(run.request.detach_grace_s, 0);
});

Deno.test("a door's request becomes an ordinary chat: prompt, system prompt extension, model alias", async () => {
  const test = buildTestApp();
  const { response, run } = await answered(
    test,
    "/v1/chat/completions",
    chatBody([
      { role: "system", content: "Be brief." },
      { role: "developer", content: [{ type: "text", text: "Use lists." }] },
      user("hi"),
    ], { model: "opus", temperature: 0.1, max_tokens: 5, seed: 1 }),
  );
  assert.equal(response.status, 200);
  const completion = await response.json();
  assert.equal(completion.choices[0].message.content, "the answer");
  assert.equal(completion.choices[0].finish_reason, "stop");
  assert.equal(run.request.prompt, "hi");
  assert.equal(run.request.model, "opus");
  assert.equal(run.request.append_system_prompt, "Be brief.\n\nUse lists.");
  assert.equal(run.request.cwd, "/tmp/scratch-1", "no X-Claude-Cwd: a scratch directory");
  assert.equal(response.headers.get("X-Claude-Cwd"), "/tmp/scratch-1");
  const unmodelled = await answered(test, "/v1/messages", { model: "claude-code", messages: [user("x")] });
  assert.equal(unmodelled.run.request.model, undefined, "claude-code is the server's default");
});

Deno.test("a conversation resumes its session with the new message only, in its directory", async () => {
  const test = buildTestApp();
  const first = await answered(test, "/v1/chat/completions", chatBody([user("one")]), { text: "two" });
  await first.response.json();
  const history = [user("one"), assistantTurn("two"), user("three")];
  const second = await answered(test, "/v1/chat/completions", chatBody(history), { text: "four" });
  assert.equal(second.run.request.session_id, SESSION);
  assert.equal(second.run.request.prompt, "three");
  assert.equal(second.run.request.cwd, first.run.request.cwd);
  await second.response.json();
  // The Anthropic door shares the memory: the same history continues there too.
  const third = await answered(test, "/v1/messages", {
    model: "claude-code",
    messages: [...history, assistantTurn("four\n"), user("five")],
  });
  assert.equal(third.run.request.session_id, SESSION);
  assert.equal(third.run.request.prompt, "five");
});

Deno.test("an unknown history starts a new session with a transcript; an older state is not resumed", async () => {
  const test = buildTestApp();
  (await answered(test, "/v1/chat/completions", chatBody([user("one")]), { text: "two" })).response.body
    ?.cancel();
  const edited = await answered(
    test,
    "/v1/chat/completions",
    chatBody([user("one"), assistantTurn("not what you said"), user("three")]),
  );
  assert.equal(edited.run.request.session_id, undefined);
  assert.match(
    edited.run.request.prompt,
    /<user>\none\n<\/user>\n<assistant>\nnot what you said\n<\/assistant>/,
  );
  assert.ok(edited.run.request.prompt.endsWith("three"));
  assert.notEqual(
    edited.run.request.cwd,
    "/tmp/scratch-1",
    "a conversation the gateway does not know is new",
  );
  await edited.response.body?.cancel();
});

Deno.test("X-Claude-Cwd runs the chat there; another directory does not resume the session", async () => {
  const test = buildTestApp();
  const first = await answered(test, "/v1/chat/completions", chatBody([user("one")]), {
    text: "two",
    headers: { "X-Claude-Cwd": "/work/a" },
  });
  assert.equal(first.run.request.cwd, "/work/a");
  await first.response.body?.cancel();
  const elsewhere = await answered(
    test,
    "/v1/chat/completions",
    chatBody([user("one"), assistantTurn("two"), user("three")]),
    { headers: { "X-Claude-Cwd": "/work/b" } },
  );
  assert.equal(elsewhere.run.request.cwd, "/work/b");
  assert.equal(elsewhere.run.request.session_id, undefined);
  await elsewhere.response.body?.cancel();
  assert.equal(test.scratch.live.size + test.scratch.removed.length, 0, "no scratch directory was made");
});

Deno.test("X-Session-ID resumes the session named, in its directory; an unknown one needs X-Claude-Cwd", async () => {
  const test = buildTestApp();
  const first = await answered(test, "/v1/messages", { model: "claude-code", messages: [user("one")] });
  await first.response.body?.cancel();
  const named = await answered(test, "/v1/messages", { model: "claude-code", messages: [user("again")] }, {
    headers: { "X-Session-ID": SESSION },
  });
  assert.equal(named.run.request.session_id, SESSION);
  assert.equal(named.run.request.cwd, first.run.request.cwd);
  await named.response.body?.cancel();
  const unknown = await test.app.request(
    "/v1/chat/completions",
    post(chatBody([user("x")]), { "X-Session-ID": crypto.randomUUID() }),
  );
  assert.equal(unknown.status, 400);
  const body = await unknown.json();
  assert.equal(body.error.param, "X-Session-ID");
  assert.match(body.error.message, /X-Claude-Cwd/);
});

Deno.test("a scratch directory is removed once its conversation is forgotten and its chat over", async () => {
  const test = buildTestApp({ doors: { maxConversations: 1 } });
  const first = await answered(test, "/v1/chat/completions", chatBody([user("one")]));
  await first.response.body?.cancel();
  assert.deepEqual([...test.scratch.live], ["/tmp/scratch-1"]);
  const second = await answered(test, "/v1/chat/completions", chatBody([user("another")]));
  await second.response.body?.cancel();
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(test.scratch.removed, ["/tmp/scratch-1"]);
  assert.deepEqual([...test.scratch.live], ["/tmp/scratch-2"]);
});

Deno.test("a failed run is a 502 cli_failed that the clients do not retry; a failed stream ends with an error", async () => {
  const test = buildTestApp();
  const pending = test.app.request(
    "/v1/chat/completions",
    post(chatBody([user("x")])),
  );
  const run = await test.runner.nextRun();
  run.write(init());
  run.write(line({ type: "result", is_error: true, result: "API Error: 500 boom" }));
  run.end({ code: 1 });
  const response = await pending;
  assert.equal(response.status, 502);
  assert.equal(response.headers.get("x-should-retry"), "false");
  assert.deepEqual((await response.json()).error, {
    message: "API Error: 500 boom",
    type: "api_error",
    param: null,
    code: "cli_failed",
  });

  const streaming = test.app.request(
    "/v1/messages",
    post({ model: "claude-code", stream: true, messages: [user("x")] }),
  );
  const streamRun = await test.runner.nextRun();
  streamRun.write(init());
  const stream = await streaming;
  streamRun.end({ code: 1 });
  const events = parseSse(await stream.text());
  assert.deepEqual(events.map((event) => event.event), ["message_start", "content_block_start", "error"]);
  assert.equal(JSON.parse(events[2].data).error.type, "api_error");
});

Deno.test("POST /v1/messages streams Anthropic's events, with usage from the result line", async () => {
  const test = buildTestApp();
  const pending = test.app.request(
    "/v1/messages",
    post({
      model: "sonnet",
      max_tokens: 9,
      stream: true,
      system: "S",
      messages: [user("hi")],
    }, {
      "x-api-key": API_KEY,
      Authorization: "",
    }),
  );
  const run = await test.runner.nextRun();
  run.write(init());
  const response = await pending;
  assert.equal(response.status, 200);
  run.write(streamEvent({ type: "message_start", message: { id: "m1" } }));
  run.write(textDelta("A"));
  run.write(textDelta("B"));
  run.write(result());
  run.end();
  const events = parseSse(await response.text());
  assert.deepEqual(events.map((event) => event.event), [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
  ]);
  const data = events.map((event) => JSON.parse(event.data));
  assert.deepEqual(data.map((event: Json) => event.type), events.map((event) => event.event));
  assert.equal(data[2].delta.text + data[3].delta.text, "AB");
  assert.deepEqual(data[5].usage, {
    input_tokens: 5,
    output_tokens: 9,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 2,
  });
  assert.equal(run.request.append_system_prompt, "S");
});

Deno.test("a door client that goes away stops its chat", async () => {
  const test = buildTestApp();
  const pending = test.app.request(
    "/v1/chat/completions",
    post(chatBody([user("x")], { stream: true })),
  );
  const run = await test.runner.nextRun();
  run.write(init());
  const response = await pending;
  const reader = response.body!.getReader();
  await reader.read();
  await reader.cancel();
  // The chat is stopped as every chat is: the turn interrupted, then the CLI signalled.
  await waitFor(() => run.stops === 1, "the CLI signalled");
  const metrics = await (await test.app.request("/metrics", { headers: AUTH })).text();
  assert.match(metrics, /claudecode2api_door_answers_total\{door="openai",outcome="disconnected"\} 1/);
});

/** The OpenAI error of a request to the test app. */
async function openAiError(init: RequestInit, options?: Parameters<typeof buildTestApp>[0]) {
  const response = await buildTestApp(options).app.request("/v1/chat/completions", init);
  return { status: response.status, headers: response.headers, error: (await response.json()).error };
}

Deno.test("OpenAI's error shape names the parameter at fault", async () => {
  const cases: [object, string, string][] = [
    [{ tools: [] }, "tools", "unsupported_parameter"],
    [{ tool_choice: "auto" }, "tool_choice", "unsupported_parameter"],
    [{ functions: [{ name: "f" }] }, "functions", "unsupported_parameter"],
    [{ n: 2 }, "n", "unsupported_parameter"],
    [{ logprobs: true }, "logprobs", "unsupported_parameter"],
    [{ audio: { voice: "x" } }, "audio", "unsupported_parameter"],
    [{ model: "gpt-4o" }, "model", "model_not_found"],
    [{ messages: [user("x"), { role: "tool", content: "r" }] }, "messages[1].role", "unsupported_parameter"],
    [{ messages: [user("x"), assistantTurn("y")] }, "messages[1].role", "unsupported_parameter"],
    [
      { messages: [{ role: "user", content: [{ type: "image_url" }] }] },
      "messages[0].content[0].type",
      "unsupported_parameter",
    ],
    [{ messages: "hi" }, "messages", "validation_error"],
  ];
  for (const [extra, param, code] of cases) {
    const { status, error } = await openAiError(post(chatBody([user("x")], extra)));
    assert.equal(status, code === "model_not_found" ? 404 : 400, JSON.stringify(extra));
    assert.equal(error.param, param, JSON.stringify(error));
    assert.equal(error.code, code);
    assert.equal(error.type, "invalid_request_error");
    assert.ok(error.message.includes(param.split("[")[0]), error.message);
  }
  const malformed = await openAiError(post("{nope"));
  assert.equal(malformed.status, 400);
  assert.equal(malformed.error.code, "invalid_json");
  const header = await openAiError(
    post(chatBody([user("x")]), { "X-Claude-Cwd": "rel" }),
  );
  assert.equal(header.status, 400);
  assert.equal(header.error.param, "X-Claude-Cwd");
});

Deno.test("the doors' 401 and 429 (with Retry-After) come in each dialect's shape", async () => {
  const wrong = await openAiError(
    post(chatBody([user("x")]), { Authorization: "Bearer nope" }),
  );
  assert.equal(wrong.status, 401);
  assert.deepEqual(wrong.error, {
    message: "invalid API key",
    type: "authentication_error",
    param: null,
    code: "invalid_api_key",
  });
  const test = buildTestApp({ maxConcurrent: 1, queueMax: 0 });
  const busy = test.app.request("/v1/chat/completions", post(chatBody([user("x")])));
  const run = await test.runner.nextRun();
  const full = await test.app.request(
    "/v1/messages",
    post({ model: "haiku", messages: [user("y")] }),
  );
  assert.equal(full.status, 429);
  assert.ok(Number(full.headers.get("Retry-After")) > 0);
  const body = await full.json();
  assert.equal(body.type, "error");
  assert.equal(body.error.type, "rate_limit_error");
  assert.match(body.error.message, /all 1 chat slots are busy/);
  const fullOpenAi = await test.app.request(
    "/v1/chat/completions",
    post(chatBody([user("z")])),
  );
  assert.equal(fullOpenAi.status, 429);
  assert.equal((await fullOpenAi.json()).error.type, "rate_limit_error");
  run.write(init());
  run.end();
  await (await busy).body?.cancel();

  const anthropicTools = await buildTestApp().app.request(
    "/v1/messages",
    post({ model: "claude-code", messages: [user("x")], tools: [] }),
  );
  assert.equal(anthropicTools.status, 400);
  const anthropicBody = await anthropicTools.json();
  assert.equal(anthropicBody.type, "error");
  assert.equal(anthropicBody.error.type, "invalid_request_error");
  assert.match(anthropicBody.error.message, /^tools: /);
  const missing = await buildTestApp().app.request(
    "/v1/messages",
    post({ model: "x" }, { Authorization: "" }),
  );
  assert.equal(missing.status, 401);
  assert.equal((await missing.json()).error.type, "authentication_error");
});

Deno.test("GET /v1/models lists the accepted models", async () => {
  const response = await buildTestApp().app.request("/v1/models", { headers: KEYED });
  const body = await response.json();
  assert.equal(body.object, "list");
  assert.deepEqual(body.data.map((model: Json) => model.id), ["claude-code", "sonnet", "opus", "haiku"]);
});

Deno.test("a resumed chat that gave no answer is not resumed again for the same history", async () => {
  const test = buildTestApp();
  await (await answered(test, "/v1/chat/completions", chatBody([user("one")]), { text: "two" })).response
    .json();
  const history = chatBody([user("one"), assistantTurn("two"), user("three")]);
  const pending = test.app.request("/v1/chat/completions", post(history));
  const failing = await test.runner.nextRun();
  assert.equal(failing.request.session_id, SESSION);
  failing.write(init());
  failing.end({ code: 1 });
  assert.equal((await pending).status, 502);
  const retried = await answered(test, "/v1/chat/completions", history);
  assert.equal(retried.run.request.session_id, undefined, "the session holds a turn the client never got");
  assert.match(retried.run.request.prompt, /<transcript>/);
  assert.equal(retried.run.request.cwd, failing.request.cwd, "the conversation keeps its directory");
  await retried.response.body?.cancel();
});

Deno.test("a door chat is an ordinary chat: GET /processes lists it while it runs", async () => {
  const test = buildTestApp();
  const pending = test.app.request("/v1/messages", post({ model: "sonnet", messages: [user("x")] }));
  const run = await test.runner.nextRun();
  run.write(init());
  const listed = await (await test.app.request("/processes", { headers: AUTH })).json();
  assert.equal(listed.count, 1);
  assert.equal(listed.processes[0].model, "sonnet");
  assert.equal(listed.processes[0].cwd, "/tmp/scratch-1");
  run.write(result());
  run.end();
  const response = await pending;
  assert.equal(response.headers.get("X-Process-ID"), listed.processes[0].process_id);
  await response.body?.cancel();
});

Deno.test("the tool trace follows COMPAT_TOOL_TRACE unless a request's X-Claude-Tool-Trace says otherwise", async () => {
  const tool = line({
    type: "assistant",
    message: {
      id: "m1",
      content: [{ type: "tool_use", name: "Write", input: { file_path: "/tmp/scratch-1/a.txt" } }],
    },
  });
  const answer = async (test: TestApp, headers: Record<string, string>) => {
    const pending = test.app.request("/v1/chat/completions", post(chatBody([user("x")]), headers));
    const run = await test.runner.nextRun();
    run.write(init());
    run.write(tool);
    run.write(whole("Done.", "m2"));
    run.write(result());
    run.end();
    return (await (await pending).json()).choices[0].message.content;
  };
  const traced = buildTestApp({ doors: { toolTrace: true } });
  assert.equal(await answer(traced, {}), "⏺ Write(a.txt)\n\nDone.");
  assert.equal(await answer(traced, { "X-Claude-Tool-Trace": "false" }), "Done.");
  const quiet = buildTestApp();
  assert.equal(await answer(quiet, {}), "Done.");
  // This chat runs in another scratch directory: the path outside it is shown whole.
  assert.equal(
    await answer(quiet, { "X-Claude-Tool-Trace": "on" }),
    "⏺ Write(/tmp/scratch-1/a.txt)\n\nDone.",
  );
  const bad = await quiet.app.request(
    "/v1/chat/completions",
    post(chatBody([user("x")]), { "X-Claude-Tool-Trace": "maybe" }),
  );
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.param, "X-Claude-Tool-Trace");
});
