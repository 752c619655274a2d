import assert from "node:assert/strict";
import { parseSse, readSse } from "../../../testkit/sse_client.ts";
import { FakeClock } from "../../support/fake_clock.ts";
import type { FakeRun } from "../../support/fakes.ts";
import { AUTH, buildTestApp, chatRequest, type ErrorJson } from "../../support/test_app.ts";

const CHAT = { prompt: "x", cwd: "/tmp" };

/** A chat whose CLI printed `lines` lines and is still running; `end` ends it. */
async function chatWithLines(test: ReturnType<typeof buildTestApp>, lines: number, body: object = CHAT) {
  const pending = test.app.request("/chat", chatRequest(body));
  const run = await test.runner.nextRun();
  const response = await pending;
  for (let i = 1; i <= lines; i++) run.write(`{"type":"assistant","seq":${i}}\n`);
  return {
    response,
    run,
    id: response.headers.get("X-Process-ID")!,
    token: response.headers.get("X-Watch-Token")!,
  };
}

Deno.test("GET /chat/{id}/events replays after Last-Event-ID, or ?last_event_id=, then follows to done", async () => {
  const test = buildTestApp();
  const chat = await chatWithLines(test, 4);
  chat.run.end();
  const whole = await readSse(chat.response);
  assert.deepEqual(whole.map((event) => event.id), ["1", "2", "3", "4", "5"]);
  const byHeader = await readSse(
    await test.app.request(`/chat/${chat.id}/events`, { headers: { ...AUTH, "Last-Event-ID": "2" } }),
  );
  assert.deepEqual(byHeader, whole.slice(2));
  const byQuery = await readSse(
    await test.app.request(`/chat/${chat.id}/events?last_event_id=3`, { headers: AUTH }),
  );
  assert.deepEqual(byQuery, whole.slice(3));
  const both = await test.app.request(`/chat/${chat.id}/events?last_event_id=1`, {
    headers: { ...AUTH, "Last-Event-ID": "4" },
  });
  assert.deepEqual(await readSse(both), whole.slice(4), "the header a reconnecting EventSource sends wins");
  const fromStart = await readSse(await test.app.request(`/chat/${chat.id}/events`, { headers: AUTH }));
  assert.deepEqual(fromStart, whole);
  const emptyId = await test.app.request(`/chat/${chat.id}/events?last_event_id=2`, {
    headers: { ...AUTH, "Last-Event-ID": "" },
  });
  assert.deepEqual(await readSse(emptyId), whole.slice(2), "an empty Last-Event-ID counts as none");
});

Deno.test("GET /chat/{id}/events refuses an event id that is not a whole number, or one not yet sent", async () => {
  const test = buildTestApp();
  const chat = await chatWithLines(test, 1);
  chat.run.end();
  await chat.response.text();
  const cases: [string, RegExp][] = [["last_event_id=abc", /last_event_id "abc"/], [
    "last_event_id=9",
    /beyond/,
  ]];
  for (const [query, pattern] of cases) {
    const response = await test.app.request(`/chat/${chat.id}/events?${query}`, { headers: AUTH });
    assert.equal(response.status, 422);
    const body: ErrorJson = await response.json();
    assert.equal(body.error.code, "validation_error");
    assert.match(body.error.message, pattern);
  }
});

Deno.test("GET /chat/{id} gives the chat's state, and its done data once finished", async () => {
  const test = buildTestApp();
  const chat = await chatWithLines(test, 2);
  const running = await (await test.app.request(`/chat/${chat.id}`, { headers: AUTH })).json();
  assert.equal(running.process_id, chat.id);
  assert.equal(running.status, "running");
  assert.equal(running.watchers, 1);
  assert.equal(running.done, null);
  assert.match(running.started_at, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  chat.run.end();
  const events = parseSse(await chat.response.text());
  const finished = await (await test.app.request(`/chat/${chat.id}`, { headers: AUTH })).json();
  assert.equal(finished.status, "finished");
  assert.equal(finished.watchers, 0);
  assert.equal(finished.last_event_id, 3);
  assert.deepEqual(finished.done, JSON.parse(events.at(-1)!.data));
});

Deno.test("GET /processes shows each chat's watchers and last event id", async () => {
  const test = buildTestApp();
  const chat = await chatWithLines(test, 3);
  const reader = chat.response.body!.getReader();
  await reader.read();
  const list = await (await test.app.request("/processes", { headers: AUTH })).json();
  assert.equal(list.processes[0].watchers, 1);
  assert.ok(list.processes[0].last_event_id >= 1);
  await reader.cancel();
});

Deno.test("a finished chat stays attachable for RETAIN_FINISHED_S, then is a 404", async () => {
  const clock = new FakeClock();
  const test = buildTestApp({ startChat: { clock }, watch: { retainFinishedMs: 300_000 } });
  const chat = await chatWithLines(test, 1);
  chat.run.end();
  await chat.response.text();
  await new Promise((resolve) => setTimeout(resolve, 0));
  clock.advance(299_999);
  assert.equal((await test.app.request(`/chat/${chat.id}`, { headers: AUTH })).status, 200);
  clock.advance(1);
  const gone = await test.app.request(`/chat/${chat.id}/events`, { headers: AUTH });
  assert.equal(gone.status, 404);
  assert.match((await gone.json() as ErrorJson).error.message, /RETAIN_FINISHED_S \(300 s\)/);
});

/** How often the gateway asked the CLI to interrupt its turn (its first step in stopping a chat). */
function interruptsSent(run: FakeRun): number {
  return run.sentLines.filter((line) =>
    line.type === "control_request" && (line.request as { subtype?: string }).subtype === "interrupt"
  ).length;
}

Deno.test("a chat whose client left is stopped after its detach_grace_s, and runs on if a client comes back", async () => {
  const clock = new FakeClock();
  const test = buildTestApp({ startChat: { clock } });
  const left = await chatWithLines(test, 1, { ...CHAT, detach_grace_s: 10 });
  await left.response.body!.cancel();
  clock.advance(9_999);
  assert.equal(interruptsSent(left.run), 0);
  clock.advance(1);
  assert.equal(interruptsSent(left.run), 1);
  const back = await chatWithLines(test, 1, { ...CHAT, detach_grace_s: 10 });
  await back.response.body!.cancel();
  const watcher = await test.app.request(`/chat/${back.id}/events`, {
    headers: { "Last-Event-ID": "1", ...AUTH },
  });
  clock.advance(60_000);
  assert.equal(interruptsSent(back.run), 0);
  assert.equal(back.run.stops, 0);
  back.run.end();
  const events = await readSse(watcher);
  assert.equal(JSON.parse(events.at(-1)!.data).cancelled, false);
});

Deno.test("detach_grace_s over MAX_DETACH_GRACE_S is a 422 naming the field, and no chat starts", async () => {
  const test = buildTestApp({ watch: { maxGraceMs: 60_000 } });
  const response = await test.app.request("/chat", chatRequest({ ...CHAT, detach_grace_s: 61 }));
  assert.equal(response.status, 422);
  const body: ErrorJson = await response.json();
  assert.equal(body.error.details?.[0].field, "detach_grace_s");
  assert.match(body.error.message, /MAX_DETACH_GRACE_S=60/);
  assert.equal(test.runner.runs.length, 0);
});

Deno.test("at most RETAIN_FINISHED_MAX finished chats are kept: the oldest finished is forgotten first", async () => {
  const test = buildTestApp({ watch: { retainFinishedMax: 2 } });
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) {
    const chat = await chatWithLines(test, 1);
    chat.run.end();
    await chat.response.text();
    await new Promise((resolve) => setTimeout(resolve, 0));
    ids.push(chat.id);
  }
  const statuses = await Promise.all(
    ids.map(async (id) => (await test.app.request(`/chat/${id}`, { headers: AUTH })).status),
  );
  assert.deepEqual(statuses, [404, 200, 200]);
});
