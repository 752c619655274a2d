/**
 * The gateway end to end, permission prompts answered by the client (`"permission_prompt": "client"`): the
 * REAL `claude` CLI in default mode asks before each Write, and what the client answers over HTTP is what
 * happens: allowed (as asked, or with the client's edit), denied (the model hears why and goes on), left
 * unanswered (denied after PERMISSION_TIMEOUT_S), asked one call after the other, a question answered, the
 * mode changed mid-chat.
 *
 * Run: `deno test --allow-all tests/e2e/permission_prompts_e2e_test.ts`
 */

import assert from "node:assert/strict";
import { exists } from "./claude_home.ts";
import { reply } from "./fake_messages_api.ts";
import { type Gateway, newMarker, sleep } from "./gateway_harness.ts";
import { gatewayTest, type ScenarioContext } from "./gateway_scenarios.ts";
import { type LiveChat, withChat } from "./live_chat.ts";
import { callsThenText, writeThenText } from "./tool_scripts.ts";

/** A chat whose CLI asks the client before a tool its mode does not allow (all but reads, in default). */
const ASKS_CLIENT = { permission_prompt: "client", permission_mode: "default" };

/** A chat that asks to Write `content` to `name` in a fresh cwd, its script set; `fn` talks to it. */
async function writeChat(
  gateway: Gateway,
  label: string,
  fn: (chat: LiveChat, write: { file: string; marker: string; final: string }) => Promise<void>,
): Promise<void> {
  const cwd = await gateway.newCwd(label);
  const marker = newMarker(label);
  const file = `${cwd}/${label}.txt`;
  const final = `Finished ${marker}.`;
  gateway.script(marker, writeThenText(file, final));
  await withChat(
    gateway,
    { prompt: `Write ${label}.txt ${marker}`, cwd, ...ASKS_CLIENT },
    (chat) => fn(chat, { file, marker, final }),
  );
}

/** The chat's last lines: a successful result with the model's final text, then done with exit 0. */
async function assertFinishes(chat: LiveChat, final: string): Promise<void> {
  const result = await chat.nextResult("the turn's result");
  assert.equal(result.subtype, "success", JSON.stringify(result));
  assert.equal(result.is_error, false);
  assert.equal(result.result, final, "the model went on to its last answer");
  const done = await chat.done();
  assert.equal(done.exit_code, 0, JSON.stringify(done));
}

async function approvedWriteRuns({ gateway }: ScenarioContext): Promise<void> {
  await writeChat(gateway, "approved", async (chat, { file, marker, final }) => {
    const asked = await chat.nextPermissionRequest();
    assert.equal(asked.tool_name, "Write");
    assert.deepEqual(asked.input, { file_path: file, content: "model's" });
    assert.equal(asked.requires_user_interaction, false);
    assert.ok(Date.parse(asked.expires_at) > Date.now(), asked.expires_at);
    assert.deepEqual((await chat.pending()).map((pending) => pending.request_id), [asked.request_id]);
    assert.equal(await exists(file), false, "nothing is written before the answer");
    const followUp = await chat.call("POST", "/messages", { prompt: "and more" });
    assert.equal(followUp.status, 409);
    assert.equal((followUp.body.error as { code: string }).code, "chat_not_interactive");

    const answered = await chat.answer(asked.request_id, { behavior: "allow" });
    assert.deepEqual(answered, {
      status: 200,
      body: { process_id: chat.id, request_id: asked.request_id, behavior: "allow" },
    });
    assert.deepEqual(await chat.nextPermissionResolved(), {
      request_id: asked.request_id,
      outcome: "allowed",
      by: "client",
      message: null,
    });
    await assertFinishes(chat, final);
    assert.equal(await Deno.readTextFile(file), "model's");
    const ended = await chat.call("POST", "/interrupt");
    assert.equal(ended.status, 409);
    assert.equal((ended.body.error as { code: string }).code, "chat_ended");
    const [outcome] = gateway.requestsWith(marker).at(-1)!.toolOutcomes;
    assert.equal(outcome.isError, false, outcome.text);
  });
}

async function editedWriteRunsTheEdit({ gateway }: ScenarioContext): Promise<void> {
  await writeChat(gateway, "edited", async (chat, { file, final }) => {
    const asked = await chat.nextPermissionRequest();
    const answered = await chat.answer(asked.request_id, {
      behavior: "allow",
      updated_input: { file_path: file, content: "the client's" },
    });
    assert.equal(answered.status, 200, JSON.stringify(answered.body));
    assert.equal((await chat.nextPermissionResolved()).outcome, "allowed");
    await assertFinishes(chat, final);
    assert.equal(await Deno.readTextFile(file), "the client's");
  });
}

async function deniedWriteTellsTheModel({ gateway }: ScenarioContext): Promise<void> {
  await writeChat(gateway, "denied", async (chat, { file, marker, final }) => {
    const asked = await chat.nextPermissionRequest();
    const message = "Not this file, please.";
    const answered = await chat.answer(asked.request_id, { behavior: "deny", message });
    assert.equal(answered.status, 200, JSON.stringify(answered.body));
    assert.deepEqual(await chat.nextPermissionResolved(), {
      request_id: asked.request_id,
      outcome: "denied",
      by: "client",
      message,
    });
    await assertFinishes(chat, final);
    assert.equal(await exists(file), false, "a denied Write writes nothing");
    const [outcome] = gateway.requestsWith(marker).at(-1)!.toolOutcomes;
    assert.equal(outcome.isError, true);
    assert.ok(outcome.text.includes(message), `the model hears why: ${outcome.text}`);
  });
}

async function callsOfOneMessageAreAskedInTurn({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("two");
  const marker = newMarker("two");
  const [first, second] = [`${cwd}/first.txt`, `${cwd}/second.txt`];
  const final = `Both asked ${marker}.`;
  gateway.script(
    marker,
    callsThenText([
      { name: "Write", input: { file_path: first, content: "1" } },
      { name: "Write", input: { file_path: second, content: "2" } },
    ], final),
  );
  await withChat(gateway, { prompt: `Write two files ${marker}`, cwd, ...ASKS_CLIENT }, async (chat) => {
    const asked = await chat.nextPermissionRequest("the first call's request");
    assert.equal(asked.input.file_path, first);
    // The second call is not asked while the first waits (a moment's grace for a request on its way).
    await sleep(500);
    assert.deepEqual((await chat.pending()).map((pending) => pending.input.file_path), [first]);
    assert.equal((await chat.answer(asked.request_id, { behavior: "allow" })).status, 200);
    const next = await chat.nextPermissionRequest("the second call's request");
    assert.equal(next.input.file_path, second);
    assert.notEqual(next.request_id, asked.request_id);
    const order = chat.events.filter((event) => event.event.startsWith("permission_")).map((event) =>
      `${event.event} ${JSON.parse(event.data).request_id}`
    );
    assert.deepEqual(order, [
      `permission_request ${asked.request_id}`,
      `permission_resolved ${asked.request_id}`,
      `permission_request ${next.request_id}`,
    ]);

    // While the second waits (the chat surely runs): an answered request is a 409, an unknown one a 404.
    const again = await chat.answer(asked.request_id, { behavior: "deny" });
    assert.equal(again.status, 409);
    assert.equal((again.body.error as { code: string }).code, "permission_resolved");
    const unknown = await chat.answer("no-such-request", { behavior: "allow" });
    assert.equal(unknown.status, 404);
    assert.equal((unknown.body.error as { code: string }).code, "permission_not_found");

    assert.equal(
      (await chat.answer(next.request_id, { behavior: "deny", message: "Only one." })).status,
      200,
    );
    await assertFinishes(chat, final);
    assert.equal(await Deno.readTextFile(first), "1");
    assert.equal(await exists(second), false);
    const outcomes = gateway.requestsWith(marker).at(-1)!.toolOutcomes;
    assert.deepEqual(outcomes.map((outcome) => outcome.isError), [false, true], JSON.stringify(outcomes));
  });
}

async function questionAnswerReachesTheModel({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("question");
  const marker = newMarker("question");
  const question = "Which color should the page have?";
  const final = `Blue it is ${marker}.`;
  gateway.script(
    marker,
    (request) =>
      request.toolResults.length > 0 ? reply.text(final) : reply.askUserQuestion([{
        question,
        header: "Color",
        options: [{ label: "Red", description: "Warm" }, { label: "Blue", description: "Cool" }],
      }]),
  );
  await withChat(gateway, { prompt: `Ask me ${marker}`, cwd, ...ASKS_CLIENT }, async (chat) => {
    const asked = await chat.nextPermissionRequest();
    assert.equal(asked.tool_name, "AskUserQuestion");
    assert.equal(asked.requires_user_interaction, true, "a person must answer it");
    const answered = await chat.answer(asked.request_id, {
      behavior: "allow",
      updated_input: { ...asked.input, answers: { [question]: "Blue" } },
    });
    assert.equal(answered.status, 200, JSON.stringify(answered.body));
    await assertFinishes(chat, final);
    const [outcome] = gateway.requestsWith(marker).at(-1)!.toolOutcomes;
    assert.equal(outcome.isError, false, outcome.text);
    assert.ok(outcome.text.includes(`"${question}"="Blue"`), `the model has the answer: ${outcome.text}`);
  });
}

async function patchedModeTakesEffect({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("patch");
  const [before, after] = [newMarker("before"), newMarker("after")];
  const write = (name: string, marker: string) => writeThenText(`${cwd}/${name}`, `Wrote ${marker}`, name);
  gateway.script(before, write("before.txt", before));
  gateway.script(after, write("after.txt", after));
  const body = { prompt: `Write before.txt ${before}`, cwd, interactive: true, ...ASKS_CLIENT };
  await withChat(gateway, body, async (chat) => {
    const asked = await chat.nextPermissionRequest("default mode asks for the Write");
    assert.equal((await chat.answer(asked.request_id, { behavior: "allow" })).status, 200);
    assert.equal((await chat.nextResult()).subtype, "success");

    const patched = await chat.call("PATCH", "", { permission_mode: "acceptEdits" });
    assert.deepEqual(patched, { status: 200, body: { permission_mode: "acceptEdits" } });
    await chat.send({ prompt: `Write after.txt ${after}` });
    const result = await chat.nextResult("the follow-up's result");
    assert.equal(result.subtype, "success", JSON.stringify(result));
    assert.equal(await Deno.readTextFile(`${cwd}/after.txt`), "after.txt", "written without asking");
    assert.equal(chat.eventsNamed("permission_request").length, 1, "only the first Write was asked");
    assert.ok(
      chat.lines.some((line) => line.subtype === "status" && line.permissionMode === "acceptEdits"),
      "the CLI reports the new mode",
    );

    const refused = await chat.call("PATCH", "", { permission_mode: "bypassPermissions" });
    assert.equal(refused.status, 409, JSON.stringify(refused.body));
    assert.equal((refused.body.error as { code: string }).code, "cli_refused");
    const done = await chat.end();
    assert.equal(done.stop_reason, "cancelled", JSON.stringify(done));
  });
}

async function unansweredRequestTimesOut({ gateway }: ScenarioContext): Promise<void> {
  await writeChat(gateway, "unanswered", async (chat, { file, marker, final }) => {
    const asked = await chat.nextPermissionRequest();
    const resolved = await chat.nextPermissionResolved("the gateway's own answer", 15_000);
    assert.equal(resolved.request_id, asked.request_id);
    assert.equal(resolved.outcome, "timeout");
    assert.equal(resolved.by, "timeout");
    assert.match(String(resolved.message), /PERMISSION_TIMEOUT_S \(2 s\)/);
    await assertFinishes(chat, final);
    assert.equal(await exists(file), false);
    const [outcome] = gateway.requestsWith(marker).at(-1)!.toolOutcomes;
    assert.equal(outcome.isError, true);
    assert.ok(outcome.text.includes("PERMISSION_TIMEOUT_S"), outcome.text);
    const answeredLate = await chat.answer(asked.request_id, { behavior: "allow" });
    assert.equal(answeredLate.status, 409, "too late");
  });
}

gatewayTest("a real CLI's tool calls wait for the client's answer over HTTP", {
  "an approved Write writes the file": approvedWriteRuns,
  "a Write approved with the client's edit writes the client's content": editedWriteRunsTheEdit,
  "a denied Write writes nothing and the model, told why, goes on": deniedWriteTellsTheModel,
  "two calls in one message are asked one after the other": callsOfOneMessageAreAskedInTurn,
  "an AskUserQuestion answer reaches the model": questionAnswerReachesTheModel,
  "PATCH permission_mode: a Write asked in default mode runs unasked in acceptEdits; bypass is refused":
    patchedModeTakesEffect,
});

async function idleInteractiveChatEnds({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("idle");
  const marker = newMarker("idle");
  gateway.script(marker, () => reply.text(`Hello ${marker}`));
  await withChat(gateway, { prompt: `Hi ${marker}`, cwd, interactive: true }, async (chat) => {
    assert.equal((await chat.nextResult()).result, `Hello ${marker}`);
    const done = await chat.done(15_000);
    assert.equal(done.stop_reason, "inactive", JSON.stringify(done));
    assert.equal(done.session_id, chat.sessionId);
    assert.match(String(chat.eventsNamed("error")[0]?.message), /INTERACTIVE_IDLE_S/);
  });
}

gatewayTest("what nobody answers: PERMISSION_TIMEOUT_S denies a request, INTERACTIVE_IDLE_S ends a chat", {
  "an unanswered Write is denied by the gateway after 2 s": unansweredRequestTimesOut,
  "an interactive chat that gets no message for 2 s ends": idleInteractiveChatEnds,
}, { PERMISSION_TIMEOUT_S: "2", INTERACTIVE_IDLE_S: "2" });
