/**
 * The sessions and directories API over sessions the REAL `claude` CLI wrote: a directory's sessions newest
 * first and paged, a transcript with the prompt, the answer and a Write call with its result, DELETE (409
 * while a chat writes the session, then gone: 404), and the policy (outside ALLOWED_CWD_ROOTS: 403).
 *
 * Run: `deno test --allow-all tests/e2e/sessions_api_e2e_test.ts`
 */

import assert from "node:assert/strict";
import { SERVER_AUTH } from "../../testkit/server_process.ts";
import { reply } from "./fake_messages_api.ts";
import { Gateway, newMarker, within } from "./gateway_harness.ts";

// deno-lint-ignore no-explicit-any
type Parsed = any;

async function getJson(
  gateway: Gateway,
  path: string,
  method = "GET",
): Promise<{ status: number; body: Parsed }> {
  const response = await fetch(`${gateway.url}${path}`, { method, headers: SERVER_AUTH });
  return { status: response.status, body: await response.json() };
}

Deno.test("the sessions API lists, reads and deletes what the real CLI recorded, under the roots", async () => {
  const open = await Gateway.start();
  let confined: Gateway | null = null;
  try {
    const cwd = await Deno.realPath(await open.newCwd("project"));
    const outside = await Deno.realPath(await open.newCwd("outside"));
    const write = newMarker("write");
    open.script(
      write,
      (request) =>
        request.rawBody.includes("tool_result")
          ? reply.text("Wrote **note.txt**.")
          : reply.toolUse("Write", { file_path: `${cwd}/note.txt`, content: "noted\n" }, {
            text: "Writing.",
          }),
    );
    const first = await open.chat({ prompt: `${write} write a note`, cwd });
    open.assertSuccess(first);
    const second = await open.chat({ prompt: `${newMarker("second")} hello`, cwd });
    const third = await open.chat({ prompt: `${newMarker("third")} hello`, cwd });
    const elsewhere = await open.chat({ prompt: `${newMarker("elsewhere")} hello`, cwd: outside });
    const ids = [third, second, first].map((chat) => String(chat.init.session_id));

    const page = await getJson(open, `/sessions?cwd=${encodeURIComponent(cwd)}&limit=2`);
    assert.equal(page.status, 200);
    assert.equal(page.body.total, 3, "only the sessions of this directory");
    assert.equal(page.body.next_offset, 2);
    assert.deepEqual(page.body.sessions.map((s: Parsed) => s.session_id), ids.slice(0, 2), "newest first");
    const rest = await getJson(open, `/sessions?cwd=${encodeURIComponent(cwd)}&offset=2&limit=2`);
    assert.deepEqual(rest.body.sessions.map((s: Parsed) => s.session_id), ids.slice(2));
    assert.equal(rest.body.next_offset, null);
    const oldest = rest.body.sessions[0];
    assert.equal(oldest.title, `${write} write a note`);
    assert.equal(oldest.message_count, 3, "the prompt, the message with the call, the answer");
    assert.ok(Date.parse(oldest.created_at) <= Date.parse(oldest.last_activity_at));

    const transcript = await getJson(open, `/sessions/${ids[2]}`);
    assert.equal(transcript.status, 200);
    assert.equal(transcript.body.cwd, cwd);
    const entries: Parsed[] = transcript.body.entries;
    assert.deepEqual(entries.map((entry) => entry.type), ["user", "assistant", "tool_call", "assistant"]);
    assert.equal(entries[0].text, `${write} write a note`);
    const call = entries[2];
    assert.equal(call.name, "Write");
    assert.deepEqual(call.input, { file_path: `${cwd}/note.txt`, content: "noted\n" });
    assert.match(call.result.content, /File created successfully/);
    assert.equal(call.result.is_error, false);
    assert.equal(entries[3].text, "Wrote **note.txt**.");
    assert.ok(entries.every((entry) => typeof entry.timestamp === "string"));

    // A chat resuming the first session writes it: it cannot be deleted until that chat ends.
    const slow = newMarker("slow");
    open.script(slow, () => reply.slowText("a slow answer", 10, 300));
    const running = await open.post({ prompt: `${slow} go on`, cwd, session_id: ids[2] });
    assert.equal(running.status, 200);
    await open.waitForPrompt(slow);
    const busy = await getJson(open, `/sessions/${ids[2]}`, "DELETE");
    assert.equal(busy.status, 409);
    assert.equal(busy.body.error.code, "session_busy");
    await within(running.text(), 30_000, "the resuming chat to end");
    await open.waitNoProcesses();
    const deleted = await getJson(open, `/sessions/${ids[2]}`, "DELETE");
    assert.deepEqual(deleted, { status: 200, body: { status: "deleted", session_id: ids[2] } });
    assert.equal((await getJson(open, `/sessions/${ids[2]}`)).status, 404);
    assert.equal((await getJson(open, `/sessions/${ids[2]}`, "DELETE")).status, 404);
    assert.equal((await getJson(open, `/sessions?cwd=${encodeURIComponent(cwd)}`)).body.total, 2);

    // The same HOME behind roots that hold the project only.
    confined = await Gateway.start({ HOME: open.home, ALLOWED_CWD_ROOTS: cwd });
    const outsideId = String(elsewhere.init.session_id);
    const refusedList = await getJson(confined, `/sessions?cwd=${encodeURIComponent(outside)}`);
    assert.equal(refusedList.status, 403);
    assert.equal(refusedList.body.error.details[0].field, "cwd");
    const refusedRead = await getJson(confined, `/sessions/${outsideId}`);
    assert.equal(refusedRead.status, 403);
    assert.ok(
      refusedRead.body.error.message.includes(`belongs to "${outside}"`),
      refusedRead.body.error.message,
    );
    assert.equal((await getJson(confined, `/sessions/${outsideId}`, "DELETE")).status, 403);
    assert.equal((await getJson(confined, `/sessions/${ids[0]}`)).status, 200);
    assert.equal((await getJson(confined, "/sessions/11111111-1111-4111-8111-111111111111")).status, 404);

    const listed = await getJson(confined, "/directories");
    assert.equal(listed.body.path, cwd);
    assert.deepEqual(listed.body.roots, [cwd]);
    assert.equal((await getJson(confined, `/directories?path=${encodeURIComponent(outside)}`)).status, 403);
  } finally {
    await confined?.close();
    await open.waitNoCli().catch(() => {});
    await open.close();
  }
});
