/**
 * The compatible doors end to end: the official `openai` and `@anthropic-ai/sdk` clients and LangChain's
 * `ChatOpenAI` drive the real gateway, which runs the REAL `claude` CLI against the fake Messages API.
 * Streaming and whole answers, usage from the CLI's result line, a conversation that continues one CLI
 * session (and survives a restart), a file written in `X-Claude-Cwd`, each client's own errors, and aborted
 * streams that leave no CLI behind.
 *
 * Run: `deno test --allow-all tests/e2e/doors_e2e_test.ts`
 */

import Anthropic from "@anthropic-ai/sdk";
import { ChatOpenAI } from "@langchain/openai";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { SERVER_AUTH } from "../../testkit/server_process.ts";
import { parseSse } from "../../testkit/sse_client.ts";
import { reply } from "./fake_messages_api.ts";
import { type Gateway, newMarker, within } from "./gateway_harness.ts";
import { gatewayTest, type ScenarioContext } from "./gateway_scenarios.ts";
import { latestPromptText, type RecordedRequest } from "./recorded_request.ts";

const KEY = "sk-e2e-doors-0123456789abcdef";

function openai(gateway: Gateway, apiKey = KEY): OpenAI {
  return new OpenAI({ apiKey, baseURL: `${gateway.url}/v1`, maxRetries: 0 });
}

function anthropic(gateway: Gateway, apiKey = KEY): Anthropic {
  return new Anthropic({ apiKey, baseURL: gateway.url, maxRetries: 0 });
}

/** A text in `chunks` deltas, 40 ms apart. */
function longText(marker: string, chunks: number): string {
  return Array.from({ length: chunks }, (_, i) => `part-${i} of ${marker}. `).join("");
}

/** The token counts of a CLI result line. */
interface ResultUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** The `result` line of a finished chat, read back through the gateway's own stream of it. */
async function resultLine(gateway: Gateway, processId: string | null): Promise<{ usage: ResultUsage }> {
  assert.ok(processId, "the answer names its chat (X-Process-ID)");
  const response = await fetch(`${gateway.url}/chat/${processId}/events`, { headers: SERVER_AUTH });
  assert.equal(response.status, 200);
  const lines = parseSse(await response.text()).filter((event) => event.event === "message")
    .map((event) => JSON.parse(event.data));
  const result = lines.find((line) => line.type === "result");
  assert.ok(result, "the CLI printed a result line");
  return result;
}

/** Turn-aware answers for one conversation: the latest `turn-N` of the prompt picks the answer. */
function answerTurns(gateway: Gateway, marker: string): void {
  gateway.script(marker, (request) => {
    const turns = [...latestPromptText(request).matchAll(/turn-(\d+)/g)];
    return reply.text(`answer-${turns.at(-1)?.[1]} for ${marker}`);
  });
}

async function openAiStreamsAndAnswersWhole({ gateway }: ScenarioContext): Promise<void> {
  const marker = newMarker("oa-stream");
  const text = longText(marker, 8);
  gateway.script(marker, () => reply.slowText(text, 8, 40));
  const client = openai(gateway);
  const { data: stream, response } = await client.chat.completions.create({
    model: "claude-code",
    stream: true,
    stream_options: { include_usage: true },
    messages: [
      { role: "system", content: "Answer in parts." },
      { role: "user", content: `Tell it (${marker})` },
    ],
  }).withResponse();
  const deltas: string[] = [];
  let usage: OpenAI.CompletionUsage | null | undefined;
  let finish: string | null = null;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    if (choice?.delta.content) deltas.push(choice.delta.content);
    if (choice?.finish_reason) finish = choice.finish_reason;
    if (chunk.usage) usage = chunk.usage;
  }
  assert.ok(deltas.length > 1, `the text came in ${deltas.length} delta(s)`);
  assert.equal(deltas.join(""), text);
  assert.equal(finish, "stop");
  assert.match(response.headers.get("x-session-id") ?? "", /^[0-9a-f-]{36}$/);
  const request = gateway.requestsWith(marker)[0];
  assert.ok(request.system.endsWith("\n\nAnswer in parts."), "system messages extend the system prompt");
  assert.ok(request.system.includes("Claude Code"), "Claude Code keeps its own system prompt");
  const result = await resultLine(gateway, response.headers.get("x-process-id"));
  const inputTokens = result.usage.input_tokens + result.usage.cache_creation_input_tokens +
    result.usage.cache_read_input_tokens;
  assert.equal(usage?.prompt_tokens, inputTokens);
  assert.equal(usage?.completion_tokens, result.usage.output_tokens);
  assert.ok((usage?.completion_tokens ?? 0) > 0);

  const whole = newMarker("oa-whole");
  gateway.script(whole, () => reply.text(`The whole answer for ${whole}.`));
  const completion = await client.chat.completions.create({
    model: "sonnet",
    temperature: 0.2,
    max_tokens: 100,
    messages: [{ role: "user", content: `Answer (${whole})` }],
  }).withResponse();
  assert.equal(completion.data.choices[0].message.content, `The whole answer for ${whole}.`);
  assert.equal(completion.data.object, "chat.completion");
  assert.equal(gateway.requestsWith(whole)[0].model, "claude-sonnet-5-5", "the model alias reaches the CLI");
  const wholeResult = await resultLine(gateway, completion.response.headers.get("x-process-id"));
  assert.equal(completion.data.usage?.completion_tokens, wholeResult.usage.output_tokens);
  assert.equal(
    completion.data.usage?.prompt_tokens,
    wholeResult.usage.input_tokens + wholeResult.usage.cache_creation_input_tokens +
      wholeResult.usage.cache_read_input_tokens,
  );
}

async function anthropicStreamsAndAnswersWhole({ gateway }: ScenarioContext): Promise<void> {
  const marker = newMarker("an-stream");
  const text = longText(marker, 6);
  gateway.script(marker, () => reply.slowText(text, 6, 40));
  const client = anthropic(gateway);
  const { data: stream, response } = await client.messages.create({
    model: "claude-code",
    max_tokens: 1024,
    stream: true,
    system: "Be thorough.",
    messages: [{ role: "user", content: `Tell it (${marker})` }],
  }).withResponse();
  const deltas: string[] = [];
  const types: string[] = [];
  let usage: Anthropic.MessageDeltaUsage | undefined;
  for await (const event of stream) {
    types.push(event.type);
    if (event.type === "content_block_delta" && event.delta.type === "text_delta") {
      deltas.push(event.delta.text);
    }
    if (event.type === "message_delta") usage = event.usage;
  }
  assert.ok(deltas.length > 1, `the text came in ${deltas.length} delta(s)`);
  assert.equal(deltas.join(""), text);
  assert.deepEqual([types[0], types[1], ...types.slice(-3)], [
    "message_start",
    "content_block_start",
    "content_block_stop",
    "message_delta",
    "message_stop",
  ]);
  assert.ok(gateway.requestsWith(marker)[0].system.endsWith("\n\nBe thorough."));
  const result = await resultLine(gateway, response.headers.get("x-process-id"));
  assert.equal(usage?.output_tokens, result.usage.output_tokens);
  assert.equal(usage?.input_tokens, result.usage.input_tokens);

  const whole = newMarker("an-whole");
  gateway.script(whole, () => reply.text(`Whole: ${whole}`));
  const message = await client.messages.create({
    model: "haiku",
    max_tokens: 64,
    messages: [{ role: "user", content: [{ type: "text", text: `Answer (${whole})` }] }],
  }).withResponse();
  assert.deepEqual(message.data.content, [{ type: "text", text: `Whole: ${whole}` }]);
  assert.equal(message.data.stop_reason, "end_turn");
  const wholeResult = await resultLine(gateway, message.response.headers.get("x-process-id"));
  assert.equal(message.data.usage.output_tokens, wholeResult.usage.output_tokens);
  assert.equal(message.data.usage.input_tokens, wholeResult.usage.input_tokens);
}

async function langChainInvokesAndStreams({ gateway }: ScenarioContext): Promise<void> {
  const marker = newMarker("lc");
  const text = longText(marker, 5);
  gateway.script(marker, () => reply.slowText(text, 5, 40));
  const model = new ChatOpenAI({
    model: "claude-code",
    apiKey: KEY,
    configuration: { baseURL: `${gateway.url}/v1` },
    maxRetries: 0,
  });
  const answer = await model.invoke([["system", "Be kind."], ["human", `Say it (${marker})`]]);
  assert.equal(answer.content, text);
  const chunks: string[] = [];
  for await (const chunk of await model.stream(`Say it again (${marker})`)) {
    if (typeof chunk.content === "string" && chunk.content !== "") chunks.push(chunk.content);
  }
  assert.ok(chunks.length > 1, `LangChain got ${chunks.length} chunk(s)`);
  assert.equal(chunks.join(""), text);
}

/** One turn of the conversation through the OpenAI client; the answer and the response's headers. */
async function turn(gateway: Gateway, history: OpenAI.ChatCompletionMessageParam[]) {
  const { data, response } = await openai(gateway).chat.completions.create({
    model: "claude-code",
    messages: history,
  }).withResponse();
  const answer = data.choices[0].message.content ?? "";
  history.push({ role: "assistant", content: answer });
  return { answer, sessionId: response.headers.get("x-session-id") };
}

async function conversationContinuesOneSession({ gateway }: ScenarioContext): Promise<void> {
  const marker = newMarker("conv");
  answerTurns(gateway, marker);
  const history: OpenAI.ChatCompletionMessageParam[] = [{ role: "system", content: "You are terse." }];
  const sessions: (string | null)[] = [];
  for (const n of [1, 2, 3]) {
    history.push({ role: "user", content: `turn-${n} of ${marker}` });
    const { answer, sessionId } = await turn(gateway, history);
    assert.equal(answer, `answer-${n} for ${marker}`);
    sessions.push(sessionId);
  }
  assert.equal(new Set(sessions).size, 1, `one session: ${sessions}`);
  const requests = gateway.requestsWith(marker);
  assert.equal(requests.length, 3);
  assert.deepEqual(requests.map((request) => request.headers["x-claude-code-session-id"]), sessions);
  // Resumed (--resume): the CLI sends the earlier turns as its own history and only the new message as the prompt.
  const third = requests[2];
  assert.equal(third.lastUserText, `turn-3 of ${marker}`);
  const assistantTexts = third.messages.filter((message) => message.role === "assistant")
    .flatMap((message) => message.content.map((block) => block.text ?? ""));
  assert.deepEqual(assistantTexts, [`answer-1 for ${marker}`, `answer-2 for ${marker}`]);
  assert.match(
    await metricsText(gateway),
    /claudecode2api_door_continuations_total\{door="openai",how="resumed"\} 2/,
  );

  await gateway.restart();
  history.push({ role: "user", content: `turn-4 of ${marker}` });
  const { answer, sessionId } = await turn(gateway, history);
  assert.equal(answer, `answer-4 for ${marker}`);
  assert.notEqual(sessionId, sessions[0], "after a restart the conversation is unknown: a new session");
  const fourth = gateway.requestsWith(marker).at(-1) as RecordedRequest;
  for (const earlier of ["turn-1", "answer-2", "turn-3"]) {
    assert.ok(
      fourth.lastUserText.includes(earlier),
      `the transcript holds ${earlier}: ${fourth.lastUserText}`,
    );
  }
  assert.ok(fourth.lastUserText.endsWith(`turn-4 of ${marker}`));
  assert.ok(fourth.system.endsWith("\n\nYou are terse."));
}

async function metricsText(gateway: Gateway): Promise<string> {
  return await (await fetch(`${gateway.url}/metrics`, { headers: SERVER_AUTH })).text();
}

async function writeLandsInClaudeCwd({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("door-write");
  const marker = newMarker("write");
  gateway.script(
    marker,
    (request) =>
      request.toolResults.length > 0
        ? reply.text("I wrote hello.txt.")
        : reply.toolUse("Write", { file_path: `${cwd}/hello.txt`, content: `hello from ${marker}\n` }),
  );
  const { data, response } = await openai(gateway).chat.completions.create(
    { model: "claude-code", messages: [{ role: "user", content: `Write hello.txt (${marker})` }] },
    { headers: { "X-Claude-Cwd": cwd, "X-Claude-Tool-Trace": "true" } },
  ).withResponse();
  assert.equal(await Deno.readTextFile(`${cwd}/hello.txt`), `hello from ${marker}\n`);
  assert.equal(response.headers.get("x-claude-cwd"), cwd);
  assert.equal(data.choices[0].message.content, "⏺ Write(hello.txt)\n\nI wrote hello.txt.");
}

async function clientsRaiseTheirOwnErrors({ gateway }: ScenarioContext): Promise<void> {
  const models = [];
  for await (const model of openai(gateway).models.list()) models.push(model.id);
  assert.deepEqual(models, ["claude-code", "sonnet", "opus", "haiku"]);
  const message = { role: "user" as const, content: "hello" };
  await assert.rejects(
    openai(gateway, "sk-wrong-0123456789abcdef").chat.completions.create({
      model: "claude-code",
      messages: [message],
    }),
    OpenAI.AuthenticationError,
  );
  await assert.rejects(
    anthropic(gateway, "sk-wrong-0123456789abcdef").messages.create({
      model: "claude-code",
      max_tokens: 10,
      messages: [message],
    }),
    Anthropic.AuthenticationError,
  );
  await assert.rejects(
    openai(gateway).chat.completions.create({
      model: "claude-code",
      messages: [message],
      tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }],
    }),
    (error) => error instanceof OpenAI.BadRequestError && error.param === "tools",
  );
  await assert.rejects(
    anthropic(gateway).messages.create({
      model: "claude-code",
      max_tokens: 10,
      messages: [message],
      tools: [{ name: "lookup", input_schema: { type: "object" } }],
    }),
    (error) => error instanceof Anthropic.BadRequestError && /tools/.test(error.message),
  );
  await assert.rejects(
    openai(gateway).chat.completions.create({ model: "gpt-4o", messages: [message] }),
    (error) => error instanceof OpenAI.NotFoundError && error.code === "model_not_found",
  );
}

async function fullCapacityAndAbortedStreams({ gateway }: ScenarioContext): Promise<void> {
  const marker = newMarker("busy");
  gateway.script(marker, () => reply.slowText(longText(marker, 40), 40, 150));
  const controller = new AbortController();
  const stream = await openai(gateway).chat.completions.create({
    model: "claude-code",
    stream: true,
    messages: [{ role: "user", content: `Tell a long story (${marker})` }],
  }, { signal: controller.signal });
  const reader = stream[Symbol.asyncIterator]();
  // Up to the first text: the CLI is answering.
  for (
    let chunk = await reader.next();
    !chunk.value?.choices[0]?.delta.content;
    chunk = await reader.next()
  ) {
    assert.ok(!chunk.done);
  }
  assert.ok(gateway.cliPids().length > 0, "the CLI is running");
  // MAX_CONCURRENT=1, QUEUE_MAX=0: the only slot is taken.
  const refused = await openai(gateway).chat.completions.create({
    model: "claude-code",
    messages: [{
      role: "user",
      content: "one more",
    }],
  }).catch((error) => error);
  assert.ok(refused instanceof OpenAI.RateLimitError, String(refused));
  assert.ok(Number(refused.headers?.get("retry-after")) > 0);
  const refusedToo = await anthropic(gateway).messages.create({
    model: "claude-code",
    max_tokens: 10,
    messages: [{ role: "user", content: "one more" }],
  }).catch((error) => error);
  assert.ok(refusedToo instanceof Anthropic.RateLimitError, String(refusedToo));

  controller.abort();
  await gateway.waitNoCli(10_000);
  await gateway.waitNoProcesses();

  const second = newMarker("abort-an");
  gateway.script(second, () => reply.slowText(longText(second, 40), 40, 150));
  const messages = anthropic(gateway).messages.stream({
    model: "claude-code",
    max_tokens: 1024,
    messages: [{ role: "user", content: `Tell a long story (${second})` }],
  });
  const ended = messages.done().catch((error) => error);
  await within(new Promise((resolve) => messages.on("text", resolve)), 20_000, "the first text");
  messages.abort();
  assert.ok(await ended instanceof Anthropic.APIUserAbortError);
  await gateway.waitNoCli(10_000);
}

gatewayTest("the compatible doors with the official clients", {
  "openai: a stream in several deltas and a whole answer; usage is the result line's":
    openAiStreamsAndAnswersWhole,
  "anthropic: Anthropic's event stream and a whole message; usage is the result line's":
    anthropicStreamsAndAnswersWhole,
  "langchain ChatOpenAI: invoke and stream": langChainInvokesAndStreams,
  "a three-turn conversation continues one CLI session, and goes on after a restart":
    conversationContinuesOneSession,
  "a Write lands in X-Claude-Cwd, and the tool trace shows it": writeLandsInClaudeCwd,
  "the model list; a wrong key, tools and an unknown model raise each client's own error":
    clientsRaiseTheirOwnErrors,
  "full capacity is each client's rate-limit error; an aborted stream leaves no CLI":
    fullCapacityAndAbortedStreams,
}, { API_KEYS: KEY, MAX_CONCURRENT: "1", QUEUE_MAX: "0" });
