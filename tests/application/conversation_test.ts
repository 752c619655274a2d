import assert from "node:assert/strict";
import { Conversation } from "../../application/conversation.ts";
import { recognizeLine } from "../../application/recognize_line.ts";
import { FakeClock } from "../support/fake_clock.ts";
import { FakeRun } from "../support/fakes.ts";

const GRACE_MS = 5_000;

/** A conversation over a run that records its stdin and signals and answers nothing by itself. */
function setup(interactive: boolean) {
  const run = new FakeRun({ prompt: "hi", cwd: "/work" }, 4242);
  run.onSend = () => {};
  run.onStop = () => {};
  let ids = 0;
  const conversation = new Conversation(run, {
    interactive,
    prompts: null,
    clock: new FakeClock(),
    graceMs: GRACE_MS,
    controlTimeoutMs: 15_000,
    newId: () => `id-${++ids}`,
    onActivityChange: () => {},
  });
  const observe = (line: Record<string, unknown>) =>
    conversation.observe(recognizeLine(new TextEncoder().encode(JSON.stringify(line)))!);
  return { run, conversation, observe };
}

for (const interactive of [false, true]) {
  Deno.test(`the prompt is written without an id (interactive: ${interactive}), so a stop cannot drop it`, () => {
    // The CLI drops a message with an id that is still queued when an interrupt with cancel_queued comes,
    // which a stop in its first second does: no turn, no session to resume.
    const { run, conversation } = setup(interactive);
    conversation.begin({ text: "hello" });
    const [line] = run.sentLines;
    assert.equal(line.type, "user");
    assert.equal("uuid" in line, false);
    assert.equal(conversation.turnRunning, true, "the prompt's turn runs until its result");
    conversation.end();
    assert.deepEqual(run.sentLines[1].request, { subtype: "interrupt", cancel_queued: true });
    assert.equal(run.stops, 0, "the CLI ends its turn first");
  });
}

Deno.test("an interactive chat is between turns after the prompt's result, and busy again with a follow-up", () => {
  const { conversation, observe } = setup(true);
  conversation.begin({ text: "hello" });
  observe({ type: "result", subtype: "success" });
  assert.equal(conversation.turnRunning, false);
  const id = conversation.send({ text: "more" });
  assert.equal(conversation.turnRunning, true);
  observe({ type: "command_lifecycle", command_uuid: id, state: "started" });
  observe({ type: "result", subtype: "success" });
  assert.equal(conversation.turnRunning, false);
});

Deno.test("an end whose interrupt drops the last queued follow-up between turns signals the CLI at once", () => {
  // No turn runs, so no result will come: waiting for one would cost the whole grace period.
  const { run, conversation, observe } = setup(true);
  conversation.begin({ text: "hello" });
  observe({ type: "result", subtype: "success" });
  const id = conversation.send({ text: "more" });
  conversation.end();
  assert.equal(run.stops, 0);
  observe({ type: "command_lifecycle", command_uuid: id, state: "cancelled" });
  assert.equal(run.stops, 1);
});
