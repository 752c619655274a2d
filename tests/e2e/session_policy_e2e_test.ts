/**
 * Sessions under the policy, with the REAL `claude` CLI: a session it recorded in a directory outside
 * ALLOWED_CWD_ROOTS cannot be resumed (403), one recorded inside can; while a chat continues a directory,
 * a second `continue` there is a 409.
 *
 * Run: `deno test --allow-all tests/e2e/session_policy_e2e_test.ts`
 */

import assert from "node:assert/strict";
import { ClaudeSessionTranscripts } from "../../infrastructure/claude_session_transcripts.ts";
import { reply } from "./fake_messages_api.ts";
import { Gateway, newMarker, within } from "./gateway_harness.ts";

Deno.test("a session recorded outside the roots is a 403, one inside resumes, and continue has one writer", async () => {
  // An unconfined gateway records the sessions; a confined one over the same HOME is asked to resume them.
  const open = await Gateway.start();
  let confined: Gateway | null = null;
  try {
    const outside = await open.newCwd("outside");
    const inside = await open.newCwd("inside");
    const outsideChat = await open.chat({ prompt: `${newMarker("outside")} hello`, cwd: outside });
    const insideChat = await open.chat({ prompt: `${newMarker("inside")} hello`, cwd: inside });
    const outsideSession = String(outsideChat.init.session_id);
    // The adapter reads what this CLI really writes: the recorded cwd, and the project directory's name.
    const transcripts = new ClaudeSessionTranscripts({ projectsDir: `${open.home}/.claude/projects` });
    assert.deepEqual(await transcripts.cwdsOf(outsideSession), [await Deno.realPath(outside)]);
    assert.equal(await transcripts.latestIn(await Deno.realPath(inside)), insideChat.init.session_id);
    confined = await Gateway.start({ HOME: open.home, ALLOWED_CWD_ROOTS: inside });

    const refused = await confined.post({ prompt: "tell me", cwd: inside, session_id: outsideSession });
    assert.equal(refused.status, 403);
    const body = await refused.json();
    assert.equal(body.error.code, "forbidden");
    assert.equal(body.error.details[0].field, "session_id");
    assert.ok(body.error.message.includes(`belongs to "${outside}"`), body.error.message);

    const resumed = await confined.chat({
      prompt: `${newMarker("resume")} again`,
      cwd: inside,
      session_id: String(insideChat.init.session_id),
    });
    confined.assertSuccess(resumed);

    const marker = newMarker("continue");
    confined.script(marker, () => reply.slowText("a slow answer", 10, 300));
    const first = await confined.post({ prompt: `${marker} go on`, cwd: inside, continue: true });
    assert.equal(first.status, 200);
    await confined.waitForPrompt(marker);
    const second = await confined.post({ prompt: "me too", cwd: inside, continue: true });
    assert.equal(second.status, 409);
    assert.equal((await second.json()).error.code, "session_busy");
    await within(first.text(), 30_000, "the continuing chat to end");
  } finally {
    await confined?.close();
    await open.waitNoCli().catch(() => {});
    await open.close();
  }
});
