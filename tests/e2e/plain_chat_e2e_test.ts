/**
 * The gateway end to end, chats that are not interactive now that every CLI reads stream-json: the client
 * sees exactly the lines the REAL `claude` CLI prints for the same prompt when run by hand, and nothing of
 * the protocol; a DELETE in the chat's first moment (a control interrupt the CLI holds until it is ready)
 * leaves a session that resumes.
 *
 * Run: `deno test --allow-all tests/e2e/plain_chat_e2e_test.ts`
 */

import assert from "node:assert/strict";
import { fakeApiEnv, runClaude, STREAM_JSON_ARGS } from "./claude_cli.ts";
import { reply } from "./fake_messages_api.ts";
import { newMarker, type Script, sleep, within } from "./gateway_harness.ts";
import { gatewayTest, type ScenarioContext } from "./gateway_scenarios.ts";
import { lineKinds, LiveChat, withChat } from "./live_chat.ts";
import { callsThenText } from "./tool_scripts.ts";

/** The model says it writes `name` in `cwd` and does, then, with the tool's result, says it is done. */
function writeThenText(cwd: string, name: string): Script {
  return callsThenText(
    [{ name: "Write", input: { file_path: `${cwd}/${name}`, content: "hello" } }],
    `Wrote ${name}.`,
    "Writing.",
  );
}

async function streamsWhatTheCliPrints({ gateway }: ScenarioContext): Promise<void> {
  const [viaGateway, direct] = [newMarker("gateway"), newMarker("direct")];
  const [gatewayCwd, directCwd, home] = [
    await gateway.newCwd("plain"),
    await gateway.newCwd("direct"),
    await gateway.newCwd("direct-home"),
  ];
  gateway.script(viaGateway, writeThenText(gatewayCwd, "a.txt"));
  gateway.script(direct, writeThenText(directCwd, "a.txt"));
  const prompt = (marker: string) => `Write a.txt, then say so ${marker}`;

  const outcome = await gateway.chat({ prompt: prompt(viaGateway), cwd: gatewayCwd });
  gateway.assertSuccess(outcome);
  const byHand = await runClaude({
    args: [...STREAM_JSON_ARGS, "--permission-mode=acceptEdits"],
    prompt: prompt(direct),
    cwd: directCwd,
    env: fakeApiEnv(gateway.fake, home, { TMPDIR: home }),
  });
  assert.equal(byHand.code, 0, byHand.stderr);
  assert.ok(byHand.lines.some((line) => line.type === "user"), "the tool ran (its result is a user line)");

  assert.deepEqual(outcome.events.map((event) => event.event).filter((name) => name !== "message"), ["done"]);
  assert.deepEqual(lineKinds(outcome.lines), lineKinds(byHand.lines), outcome.raw.slice(0, 3000));
  assert.ok(!outcome.raw.includes('"control_'), "no line of the control protocol reaches the client");
  assert.equal(await Deno.readTextFile(`${gatewayCwd}/a.txt`), "hello");
}

/** A DELETE 0.1 s after the start, then a chat that resumes the session (interactive or not). */
const earlyDeleteLeavesASession = (interactive: boolean) => async ({ gateway }: ScenarioContext) => {
  const cwd = await gateway.newCwd("early");
  const [early, resumed] = [newMarker("early"), newMarker("resumed")];
  gateway.script(early, () => reply.slowText("x ".repeat(40), 40, 250));
  gateway.script(resumed, () => reply.text(`Resumed ${resumed}`));
  const chat = await LiveChat.open(gateway, { prompt: `Remember ${early}`, cwd, interactive });
  try {
    await sleep(100);
    const cancelled = await within(chat.call("DELETE", ""), 5_000, "DELETE /chat/{id} to answer");
    assert.deepEqual(cancelled, { status: 200, body: { status: "cancelled", process_id: chat.id } });
    const done = await chat.done();
    assert.equal(done.cancelled, true, JSON.stringify(done));
    assert.equal(done.stop_reason, "cancelled");
    assert.equal(chat.events.filter((event) => event.event === "error").length, 0, "no error event");
    assert.ok(
      !chat.events.some((event) => event.event === "message" && event.data.includes('"control_')),
      "the interrupt stays between the gateway and the CLI",
    );
    const sessionId = done.session_id as string;
    assert.match(sessionId ?? "", /^[0-9a-f-]{36}$/, `the CLI started a session: ${JSON.stringify(done)}`);
    if (interactive) assert.equal(sessionId, chat.sessionId, "the session named up front");
    await gateway.waitNoCli();

    // The same kind of chat resumes it.
    const resume = { prompt: `Go on ${resumed}`, cwd, session_id: sessionId, interactive };
    await withChat(gateway, resume, async (again) => {
      if (interactive) assert.equal(again.sessionId, sessionId, "X-Session-ID of a resumed chat");
      assert.equal((await again.nextResult("the resumed chat's answer")).result, `Resumed ${resumed}`);
      assert.equal(again.lines.find((line) => line.subtype === "init")?.session_id, sessionId);
      const done = interactive ? await again.end() : await again.done();
      assert.equal(done.exit_code, 0, JSON.stringify(done));
    });
    const [first] = gateway.requestsWith(resumed);
    assert.ok(first.historyText.user.includes(`Remember ${early}`), "the resumed session has the prompt");
  } finally {
    await chat.close();
  }
};

gatewayTest("chats that are not interactive, on the CLI's stream-json input", {
  "a chat streams exactly the lines the CLI prints when run by hand, and no protocol line":
    streamsWhatTheCliPrints,
  "a DELETE 0.1 s after the start leaves a session that session_id resumes": earlyDeleteLeavesASession(false),
  "so does a DELETE 0.1 s after the start of an interactive chat": earlyDeleteLeavesASession(true),
});
