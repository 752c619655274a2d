import assert from "node:assert/strict";
import type { SessionTranscript } from "../../../domain/session_archive.ts";
import { FakeSessionArchive } from "../../support/fake_session_archive.ts";
import { FakeSessionTranscripts } from "../../support/fake_session_transcripts.ts";
import { AUTH, buildTestApp, chatRequest, type ErrorJson } from "../../support/test_app.ts";

const ROOTS = { allowedRoots: ["/work"], allowedPermissionModes: null, deniedFields: null };

function session(id: string, cwd: string, minute: number): SessionTranscript {
  const at = `2024-01-01T12:${String(minute).padStart(2, "0")}:00.000Z`;
  return {
    session_id: id,
    title: `session ${minute}`,
    created_at: at,
    last_activity_at: at,
    message_count: 2,
    cwd,
    entries: [
      { type: "user", text: "hello", timestamp: at },
      { type: "assistant", text: "Hi **there**", timestamp: at },
    ],
  };
}

/** Ids whose number is the minute they were last written; `/work/app` holds 25, `/tmp` one. */
function sessions() {
  const all: Record<string, SessionTranscript> = {};
  const recorded: Record<string, string> = {};
  for (let minute = 0; minute < 25; minute++) {
    const id = `00000000-0000-4000-8000-${String(minute).padStart(12, "0")}`;
    all[id] = session(id, "/work/app", minute);
    recorded[id] = "/work/app";
  }
  const outside = "99999999-0000-4000-8000-000000000000";
  all[outside] = session(outside, "/tmp", 30);
  recorded[outside] = "/tmp";
  return { archive: new FakeSessionArchive(all), transcripts: new FakeSessionTranscripts(recorded), outside };
}

const get = (path: string) => ({ method: "GET", headers: AUTH, path });
const ID = (minute: number) => `00000000-0000-4000-8000-${String(minute).padStart(12, "0")}`;

Deno.test("GET /sessions pages a directory's sessions newest first, with next_offset until the last page", async () => {
  const { archive, transcripts } = sessions();
  const { app } = buildTestApp({ archive, startChat: { sessions: transcripts } });
  const first = await app.request("/sessions?cwd=/work/app&limit=10", get(""));
  assert.equal(first.status, 200);
  const page = await first.json();
  assert.equal(page.total, 25);
  assert.equal(page.next_offset, 10);
  assert.deepEqual(page.sessions.map((s: { session_id: string }) => s.session_id).slice(0, 2), [
    ID(24),
    ID(23),
  ]);
  const last = await (await app.request("/sessions?cwd=/work/app&offset=20&limit=10", get(""))).json();
  assert.equal(last.sessions.length, 5);
  assert.equal(last.next_offset, null);
  assert.equal(last.sessions.at(-1).session_id, ID(0));
  assert.equal(last.sessions[0].entries, undefined, "a list carries no transcripts");
});

Deno.test("GET /sessions refuses a cwd outside the roots (403), a missing one (422) and a bad page (422)", async () => {
  const { archive, transcripts } = sessions();
  const { app } = buildTestApp({ archive, startChat: { sessions: transcripts, policy: ROOTS } });
  const outside = await app.request("/sessions?cwd=/tmp", get(""));
  assert.equal(outside.status, 403);
  const body = await outside.json() as ErrorJson;
  assert.equal(body.error.details?.[0].field, "cwd");
  assert.match(body.error.message, /outside the allowed roots: \/work/);
  const missing = await app.request("/sessions?cwd=/nowhere", get(""));
  assert.equal(missing.status, 422);
  assert.match((await missing.json() as ErrorJson).error.message, /cwd "\/nowhere" does not exist/);
  const relative = await app.request("/sessions?cwd=work", get(""));
  assert.equal(relative.status, 422);
  const tooMany = await app.request("/sessions?cwd=/work/app&limit=1000", get(""));
  assert.equal(tooMany.status, 422);
  assert.equal((await tooMany.json() as ErrorJson).error.details?.[0].field, "limit");
  assert.equal((await app.request("/sessions?cwd=/work/app", { method: "GET" })).status, 401);
});

Deno.test("GET /sessions/{id} returns the transcript; unknown is a 404, recorded outside the roots a 403", async () => {
  const { archive, transcripts, outside } = sessions();
  const { app } = buildTestApp({ archive, startChat: { sessions: transcripts, policy: ROOTS } });
  const found = await app.request(`/sessions/${ID(3)}`, get(""));
  assert.equal(found.status, 200);
  const transcript = await found.json();
  assert.equal(transcript.cwd, "/work/app");
  assert.deepEqual(transcript.entries.map((entry: { type: string }) => entry.type), ["user", "assistant"]);
  const unknown = await app.request("/sessions/11111111-1111-4111-8111-111111111111", get(""));
  assert.equal(unknown.status, 404);
  assert.equal((await unknown.json() as ErrorJson).error.code, "not_found");
  const forbidden = await app.request(`/sessions/${outside}`, get(""));
  assert.equal(forbidden.status, 403);
  assert.match((await forbidden.json() as ErrorJson).error.message, /belongs to "\/tmp"/);
  assert.equal((await app.request("/sessions/not-a-uuid", get(""))).status, 422);
});

Deno.test("DELETE /sessions/{id} removes it, is a 409 while a chat writes it, a 404 once gone", async () => {
  const { archive, transcripts } = sessions();
  const test = buildTestApp({ archive, startChat: { sessions: transcripts } });
  const chat = await test.app.request(
    "/chat",
    chatRequest({ prompt: "go on", cwd: "/work/app", session_id: ID(5) }),
  );
  const busy = await test.app.request(`/sessions/${ID(5)}`, { method: "DELETE", headers: AUTH });
  assert.equal(busy.status, 409);
  assert.match((await busy.json() as ErrorJson).error.message, /being written by running process/);
  assert.ok(ID(5) in archive.sessions, "a busy session is kept");
  test.runner.runs.at(-1)!.end();
  await chat.text();
  const deleted = await test.app.request(`/sessions/${ID(5)}`, { method: "DELETE", headers: AUTH });
  assert.equal(deleted.status, 200);
  assert.deepEqual(await deleted.json(), { status: "deleted", session_id: ID(5) });
  assert.ok(!(ID(5) in archive.sessions));
  delete transcripts.recorded[ID(5)];
  assert.equal(
    (await test.app.request(`/sessions/${ID(5)}`, { method: "DELETE", headers: AUTH })).status,
    404,
  );
});
