/**
 * The gateway end to end, permission requests of the REAL `claude` CLI while other things happen: an
 * interrupt or a `priority: "now"` message withdraws a pending request, a deny with `interrupt` ends the turn
 * and the chat goes on, "remember for this chat" allows the next call without a file in the repository, a
 * client that reattaches finds the pending request, and a DELETE ends a chat that waits for an answer.
 *
 * Run: `deno test --allow-all tests/e2e/pending_permissions_e2e_test.ts`
 */

import assert from "node:assert/strict";
import { SERVER_AUTH } from "../../testkit/server_process.ts";
import { SseReader } from "../../testkit/sse_client.ts";
import { exists } from "./claude_home.ts";
import { reply } from "./fake_messages_api.ts";
import { type Gateway, newMarker, within } from "./gateway_harness.ts";
import { gatewayTest, type ScenarioContext } from "./gateway_scenarios.ts";
import { type LiveChat, withChat } from "./live_chat.ts";
import { writeThenText } from "./tool_scripts.ts";

const ASKS_CLIENT = { permission_prompt: "client", permission_mode: "default" };

/** An interactive chat that asks the client, in a fresh cwd; `fn` gets it and the cwd. */
async function askingChat(
  gateway: Gateway,
  label: string,
  fn: (chat: LiveChat, cwd: string, first: string) => Promise<void>,
): Promise<void> {
  const cwd = await gateway.newCwd(label);
  const first = newMarker(label);
  gateway.script(first, writeThenText(`${cwd}/first.txt`, `Wrote ${first}`));
  const body = { prompt: `Write first.txt ${first}`, cwd, interactive: true, ...ASKS_CLIENT };
  await withChat(gateway, body, (chat) => fn(chat, cwd, first));
}

/** Asserts the CLI withdrew the pending request `requestId`: resolved by `cli`, gone from the list, a 409. */
async function assertWithdrawn(chat: LiveChat, requestId: string): Promise<void> {
  assert.deepEqual(await chat.nextPermissionResolved("the CLI to withdraw the request"), {
    request_id: requestId,
    outcome: "cancelled",
    by: "cli",
    message: null,
  });
  assert.deepEqual(await chat.pending(), []);
  const late = await chat.answer(requestId, { behavior: "allow" });
  assert.equal(late.status, 409, JSON.stringify(late.body));
}

async function interruptAndPriorityWithdrawRequests({ gateway }: ScenarioContext): Promise<void> {
  await askingChat(gateway, "withdrawn", async (chat, cwd) => {
    const asked = await chat.nextPermissionRequest();
    const interrupted = await chat.call("POST", "/interrupt", { cancel_queued: true });
    assert.equal(interrupted.status, 200, JSON.stringify(interrupted.body));
    await assertWithdrawn(chat, asked.request_id);
    assert.equal((await chat.nextResult("the interrupted turn's result")).is_error, true);

    const [again, now] = [newMarker("again"), newMarker("now")];
    gateway.script(again, writeThenText(`${cwd}/again.txt`, `Wrote ${again}`));
    gateway.script(now, () => reply.text(`Instead ${now}`));
    await chat.send({ prompt: `Write again.txt ${again}` });
    const second = await chat.nextPermissionRequest("the next turn's request");
    await chat.send({ prompt: `Never mind ${now}`, priority: "now" });
    await assertWithdrawn(chat, second.request_id);
    await chat.nextLine(
      (line) => line.type === "result" && line.result === `Instead ${now}`,
      "the urgent answer",
    );
    assert.equal(await exists(`${cwd}/first.txt`), false);
    assert.equal(await exists(`${cwd}/again.txt`), false);
    await chat.end();
  });
}

async function denyWithInterruptEndsTheTurn({ gateway }: ScenarioContext): Promise<void> {
  await askingChat(gateway, "stopped", async (chat, cwd, first) => {
    const asked = await chat.nextPermissionRequest();
    const answered = await chat.answer(asked.request_id, { behavior: "deny", interrupt: true });
    assert.equal(answered.status, 200, JSON.stringify(answered.body));
    assert.equal((await chat.nextPermissionResolved()).outcome, "denied");
    const result = await chat.nextResult("the stopped turn's result");
    assert.equal(result.is_error, true, JSON.stringify(result));
    assert.equal(
      gateway.requestsWith(first).filter((request) => request.toolResults.length > 0).length,
      0,
      "the model was not asked again in that turn",
    );
    assert.equal(await exists(`${cwd}/first.txt`), false);

    const next = newMarker("next");
    gateway.script(next, () => reply.text(`Still here ${next}`));
    await chat.send({ prompt: `Are you there? ${next}` });
    assert.equal((await chat.nextResult()).result, `Still here ${next}`);
    await chat.end();
  });
}

async function rememberedAllowAsksNoMore({ gateway }: ScenarioContext): Promise<void> {
  await askingChat(gateway, "remember", async (chat, cwd) => {
    const asked = await chat.nextPermissionRequest();
    const answered = await chat.answer(asked.request_id, { behavior: "allow", remember: "chat" });
    assert.equal(answered.status, 200, JSON.stringify(answered.body));
    assert.equal((await chat.nextResult()).subtype, "success");
    assert.equal(await Deno.readTextFile(`${cwd}/first.txt`), "model's");

    const second = newMarker("second");
    gateway.script(second, writeThenText(`${cwd}/second.txt`, `Wrote ${second}`));
    await chat.send({ prompt: `Write second.txt ${second}` });
    assert.equal((await chat.nextResult("the second Write's turn")).result, `Wrote ${second}`);
    assert.equal(await Deno.readTextFile(`${cwd}/second.txt`), "model's", "allowed without asking");
    assert.equal(chat.eventsNamed("permission_request").length, 1);
    assert.equal(await exists(`${cwd}/.claude`), false, "nothing written in the repository");
    await chat.end();
  });
}

async function reattachedClientFindsTheRequest({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("reattach");
  const marker = newMarker("reattach");
  gateway.script(marker, writeThenText(`${cwd}/later.txt`, `Wrote ${marker}`));
  const body = { prompt: `Write later.txt ${marker}`, cwd, detach_grace_s: 60, ...ASKS_CLIENT };
  const asked = await withChat(gateway, body, async (chat) => {
    const asked = await chat.nextPermissionRequest();
    return { id: chat.id, request: asked };
  });
  // The first client is gone; the chat waits on (its detach grace) with the request pending.
  const pending = await fetch(`${gateway.url}/chat/${asked.id}/permissions`, { headers: SERVER_AUTH });
  assert.equal(pending.status, 200);
  assert.deepEqual((await pending.json()).permissions, [asked.request]);
  const attached = await fetch(`${gateway.url}/chat/${asked.id}/events`, { headers: SERVER_AUTH });
  assert.equal(attached.status, 200);
  const reader = new SseReader(attached);
  try {
    const replayed = await within(
      reader.until((event) => event.event === "permission_request"),
      10_000,
      "the request replayed",
    );
    assert.deepEqual(JSON.parse(replayed.data), asked.request);
    const answered = await fetch(`${gateway.url}/chat/${asked.id}/permissions/${asked.request.request_id}`, {
      method: "POST",
      headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
      body: JSON.stringify({ behavior: "allow" }),
    });
    assert.equal(answered.status, 200, await answered.text());
    const rest = await within(reader.rest(), 30_000, "the chat to end");
    assert.ok(rest.some((event) => event.event === "permission_resolved"));
    const done = JSON.parse(rest.at(-1)!.data);
    assert.equal(rest.at(-1)!.event, "done");
    assert.equal(done.exit_code, 0, JSON.stringify(done));
    assert.equal(await Deno.readTextFile(`${cwd}/later.txt`), "model's");
  } finally {
    await reader.cancel();
  }
}

async function deleteEndsAWaitingChat({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("delete");
  const marker = newMarker("delete");
  gateway.script(marker, writeThenText(`${cwd}/never.txt`, `Wrote ${marker}`));
  await withChat(gateway, { prompt: `Write never.txt ${marker}`, cwd, ...ASKS_CLIENT }, async (chat) => {
    const asked = await chat.nextPermissionRequest();
    const done = await chat.end();
    assert.equal(done.cancelled, true, JSON.stringify(done));
    const [resolved] = chat.eventsNamed("permission_resolved");
    assert.equal(resolved?.request_id, asked.request_id, "the request is resolved before done");
    assert.equal(resolved.outcome, "cancelled");
    assert.equal(await exists(`${cwd}/never.txt`), false);
  });
}

gatewayTest("permission requests of a real CLI while the chat is interrupted, redirected or ended", {
  'an interrupt and a "now" message withdraw the pending request; the chat goes on':
    interruptAndPriorityWithdrawRequests,
  "a deny with interrupt ends the turn, and the chat takes the next message": denyWithInterruptEndsTheTurn,
  '"remember": "chat" allows the next Write without asking, and writes nothing in the repository':
    rememberedAllowAsksNoMore,
  "a client that reattaches lists and answers the pending request": reattachedClientFindsTheRequest,
  "DELETE ends a chat that waits for an answer": deleteEndsAWaitingChat,
});
