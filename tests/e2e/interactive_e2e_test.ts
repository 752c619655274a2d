/**
 * The gateway end to end, interactive chats (`"interactive": true`) of the REAL `claude` CLI: follow-ups sent
 * while it is idle and while it works are answered by the one CLI process, which keeps the whole history;
 * `priority: "now"` and `POST /chat/{id}/interrupt` cut a slow answer and the chat goes on with the partial
 * answer in its history; images reach the model, and a broken one is refused without harm to the chat.
 *
 * Run: `deno test --allow-all tests/e2e/interactive_e2e_test.ts`
 */

import assert from "node:assert/strict";
import { assistantText, type Json } from "./chat_lines.ts";
import { reply } from "./fake_messages_api.ts";
import { type Gateway, newMarker, sleep } from "./gateway_harness.ts";
import { gatewayTest, type ScenarioContext } from "./gateway_scenarios.ts";
import { type LiveChat, withChat } from "./live_chat.ts";

/** A real 1×1 PNG, small enough that the CLI passes it on unchanged. */
const PNG_1X1 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

/** A slow answer: `count` parts, one every `delayMs`, so a test can act while it streams. */
function slowParts(count: number, delayMs: number) {
  const parts = Array.from({ length: count }, (_, i) => `part-${String(i).padStart(2, "0")} `);
  return {
    text: parts.join(""),
    last: parts.at(-1)!.trim(),
    reply: reply.slowText(parts.join(""), count, delayMs),
  };
}

/** The chat as `GET /processes` lists it. */
async function listed(gateway: Gateway, chat: LiveChat): Promise<Json> {
  const found = (await gateway.processes()).processes.find((process) => process.process_id === chat.id);
  assert.ok(found, `GET /processes lists ${chat.id}`);
  return found;
}

/** The pids of the gateway's CLIs, sorted (in a sandbox: bwrap and the CLI in it). */
function cliPids(gateway: Gateway): number[] {
  return gateway.cliPids().sort((a, b) => a - b);
}

/**
 * Every `init` line came from the same CLI process: the CLI names its messaging socket after its pid, and
 * writes its init line again at each turn.
 */
function assertOneProcess(chat: LiveChat, turns: number): void {
  const inits = chat.lines.filter((line) => line.type === "system" && line.subtype === "init");
  assert.equal(inits.length, turns, "one init line per turn");
  assert.equal(new Set(inits.map((init) => init.messaging_socket_path)).size, 1, "one CLI process");
  assert.equal(new Set(inits.map((init) => init.session_id)).size, 1, "one session");
}

async function followUpsWhileIdleAndBusy({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("followups");
  const [first, idle, busy, queued] = ["first", "idle", "busy", "queued"].map(newMarker);
  const slow = slowParts(12, 250);
  gateway.script(first, () => reply.text(`Answer to ${first}`));
  gateway.script(idle, () => reply.text(`Answer to ${idle}`));
  gateway.script(busy, () => slow.reply);
  gateway.script(queued, () => reply.text(`Answer to ${queued}`));
  await withChat(gateway, { prompt: `One ${first}`, cwd, interactive: true }, async (chat) => {
    assert.match(chat.sessionId ?? "", /^[0-9a-f-]{36}$/, "X-Session-ID is known at once");
    assert.equal((await chat.nextResult("the first answer")).result, `Answer to ${first}`);
    const pids = cliPids(gateway);
    assert.ok(pids.length > 0);
    const waiting = await listed(gateway, chat);
    assert.equal(waiting.interactive, true);
    assert.equal(waiting.turn_running, false, "idle between turns");

    // While idle.
    const idleId = await chat.send({ prompt: `Two ${idle}` });
    assert.equal((await chat.nextResult("the idle follow-up's answer")).result, `Answer to ${idle}`);
    const idleRequest = gateway.requestFor(idle);
    assert.ok(idleRequest.historyText.user.includes(first), "the history has the first prompt");
    assert.ok(idleRequest.historyText.assistant.includes(`Answer to ${first}`), "and its answer");
    // The message id is the one the CLI reports the message's life under (completed: after its result).
    await chat.nextLine(
      (line) =>
        line.type === "command_lifecycle" && line.command_uuid === idleId && line.state === "completed",
      "the idle follow-up's lifecycle to complete",
    );

    // While busy: the second message waits for the slow answer, then has it in its history.
    await chat.send({ prompt: `Three ${busy}` });
    await gateway.waitForPrompt(busy);
    assert.equal((await listed(gateway, chat)).turn_running, true);
    await chat.send({ prompt: `Four ${queued}` });
    assert.equal((await chat.nextResult("the slow answer")).result, slow.text);
    assert.equal((await chat.nextResult("the queued message's answer")).result, `Answer to ${queued}`);
    const queuedRequest = gateway.requestFor(queued);
    for (const text of [`Answer to ${first}`, `Answer to ${idle}`, slow.last]) {
      assert.ok(queuedRequest.historyText.assistant.includes(text), `history has ${text}`);
    }

    assertOneProcess(chat, 4);
    assert.equal(chat.lines.find((line) => line.subtype === "init")!.session_id, chat.sessionId);
    assert.deepEqual(cliPids(gateway), pids, "the same CLI answered every message");
    const done = await chat.end();
    assert.equal(done.session_id, chat.sessionId);
    assert.equal(done.cancelled, true);
  });
}

async function priorityNowAbortsTheTurn({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("now");
  const [story, now] = [newMarker("story"), newMarker("now")];
  const slow = slowParts(40, 250);
  gateway.script(story, () => slow.reply);
  const urgent = slowParts(8, 250);
  gateway.script(now, () => urgent.reply);
  await withChat(gateway, { prompt: `Tell a long story ${story}`, cwd, interactive: true }, async (chat) => {
    await gateway.waitForPrompt(story);
    await sleep(700);
    const cut = gateway.fake.cutStreams;
    await chat.send({ prompt: `Stop that ${now}`, priority: "now" });
    const aborted = await chat.nextResult("the aborted turn's result");
    assert.equal(aborted.terminal_reason, "aborted_streaming", JSON.stringify(aborted));
    await gateway.waitForPrompt(now);
    assert.equal((await listed(gateway, chat)).turn_running, true, "the urgent message's turn runs");
    assert.equal((await chat.nextResult("the urgent message's answer")).result, urgent.text);
    assert.ok(gateway.fake.cutStreams > cut, "the slow answer's stream was cut");
    const history = gateway.requestFor(now).historyText.assistant;
    assert.ok(history.includes("part-00"), `the partial answer stays: ${history}`);
    assert.ok(!history.includes(slow.last), "the story was not told to its end");
    assertOneProcess(chat, 2);
    await chat.end();
  });
}

async function interruptKeepsTheChat({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("interrupt");
  const [story, after] = [newMarker("story"), newMarker("after")];
  const slow = slowParts(40, 250);
  gateway.script(story, () => slow.reply);
  gateway.script(after, () => reply.text(`Going on ${after}`));
  await withChat(gateway, { prompt: `Tell a long story ${story}`, cwd, interactive: true }, async (chat) => {
    await gateway.waitForPrompt(story);
    await sleep(700);
    const interrupted = await chat.call("POST", "/interrupt");
    assert.deepEqual(interrupted, {
      status: 200,
      body: { process_id: chat.id, still_queued: [], cancelled: [] },
    });
    const result = await chat.nextResult("the interrupted turn's result");
    assert.equal(result.subtype, "error_during_execution", JSON.stringify(result));
    const partial = chat.lines.filter((line) => line.type === "assistant").map(assistantText).join("");
    assert.ok(partial.startsWith("part-00") && !partial.includes(slow.last), `a partial answer: ${partial}`);

    // The chat stays open: listed, idle, and it takes the next message.
    const open = await listed(gateway, chat);
    assert.equal(open.status, "running");
    assert.equal(open.turn_running, false);
    await chat.send({ prompt: `Go on ${after}` });
    assert.equal((await chat.nextResult("the next answer")).result, `Going on ${after}`);
    const request = gateway.requestFor(after);
    assert.ok(request.historyText.assistant.includes("part-00"), "the partial answer is in the history");
    assert.ok(!request.historyText.assistant.includes(slow.last));
    assert.ok(request.historyText.user.includes("[Request interrupted by user]"), request.historyText.user);
    assertOneProcess(chat, 2);
    await chat.end();
  });
}

/** The files under `dir`, recursively, as paths relative to it. */
async function filesUnder(dir: string, prefix = ""): Promise<string[]> {
  const found: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = `${prefix}${entry.name}`;
    if (entry.isDirectory) found.push(...await filesUnder(`${dir}/${entry.name}`, `${path}/`));
    else found.push(path);
  }
  return found;
}

async function imagesReachTheModel({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("images");
  const [look, again] = [newMarker("look"), newMarker("again")];
  gateway.script(look, () => reply.text(`A dot ${look}`));
  gateway.script(again, () => reply.text(`Another dot ${again}`));
  const png = { media_type: "image/png", data: PNG_1X1 };

  const broken = await gateway.post({
    prompt: `Look ${look}`,
    cwd,
    images: [{ ...png, data: "!!!not base64" }],
  });
  assert.equal(broken.status, 422);
  assert.match(JSON.stringify(await broken.json()), /images\[0\]\.data/);

  const body = { prompt: `What is this? ${look}`, cwd, interactive: true, images: [png] };
  await withChat(gateway, body, async (chat) => {
    assert.equal((await chat.nextResult()).result, `A dot ${look}`);
    assert.deepEqual(gateway.requestFor(look).lastUserImages, [{ type: "base64", ...png }]);
    // The CLI saved it in the chat's own temporary directory (removed with the chat: the scenario checks).
    const saved = (await filesUnder(gateway.tmp)).filter((path) => path.endsWith("/images/1.png"));
    assert.equal(saved.length, 1, `the image is saved under the chat's TMPDIR: ${saved}`);
    assert.match(saved[0], /^claudecode2api-[^/]+\/claudecode2api-chat-[^/]+\//);

    // A broken image of a follow-up: a 422 naming it, nothing sent to the CLI.
    const notBase64 = await chat.call("POST", "/messages", {
      prompt: `Look ${again}`,
      images: [png, { ...png, data: "!!!not base64" }],
    });
    assert.equal(notBase64.status, 422);
    assert.match(JSON.stringify(notBase64.body), /images\[1\]\.data/);
    const notPng = await chat.call("POST", "/messages", {
      prompt: `Look ${again}`,
      images: [{ media_type: "image/png", data: btoa("GIF89a not a png at all") }],
    });
    assert.equal(notPng.status, 422);
    assert.match(JSON.stringify(notPng.body), /images\[0\]/);

    // The chat is unaffected: the next message, with a good image, is answered by the same CLI.
    await chat.send({ prompt: `And this? ${again}`, images: [png] });
    assert.equal((await chat.nextResult()).result, `Another dot ${again}`);
    const request = gateway.requestFor(again);
    assert.deepEqual(request.lastUserImages, [{ type: "base64", ...png }]);
    assert.ok(!request.rawBody.includes(`Look ${again}`), "the refused messages never reached the model");
    assertOneProcess(chat, 2);
    await chat.end();
  });
}

gatewayTest("interactive chats of a real CLI: follow-ups, priority, interrupt, images", {
  "follow-ups sent while idle and while busy are answered by one CLI that keeps the history":
    followUpsWhileIdleAndBusy,
  'priority "now" aborts the running turn and answers at once': priorityNowAbortsTheTurn,
  "an interrupt cuts the answer, the chat stays open with the partial answer in its history":
    interruptKeepsTheChat,
  "images reach the model; a broken image is a 422 and the chat goes on": imagesReachTheModel,
});
