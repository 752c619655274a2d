/**
 * The gateway end to end, stopping a chat: DELETE interrupts the REAL `claude` CLI mid-answer (and the
 * session resumes), and a client that goes away takes its CLI with it.
 *
 * Run: `deno test --allow-all tests/e2e/cancel_e2e_test.ts`
 */

import assert from "node:assert/strict";
import { SseReader } from "../../testkit/sse_client.ts";
import { assistantText, linesOf, messageTexts, userText } from "./chat_lines.ts";
import { reply } from "./fake_messages_api.ts";
import { newMarker, sleep, waitUntil, within } from "./gateway_harness.ts";
import { gatewayTest, type ScenarioContext } from "./gateway_scenarios.ts";

/** The SIGINT handler of the CLI is not installed in its first ~0.2 s; a signal then kills it silently. */
const CLI_SETTLE_MS = 500;

async function cancelInterruptsAndResumes({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("cancel");
  const marker = newMarker("cancel");
  const parts = Array.from({ length: 40 }, (_, i) => `part-${String(i).padStart(2, "0")} `);
  gateway.script(marker, () => reply.slowText(parts.join(""), parts.length, 250));
  const response = await gateway.post({ prompt: `Tell a long story ${marker}`, cwd });
  assert.equal(response.status, 200);
  const processId = response.headers.get("X-Process-ID")!;
  const reader = new SseReader(response);
  try {
    await gateway.waitForPrompt(marker);
    await sleep(CLI_SETTLE_MS);
    assert.equal(gateway.cliPids().length > 0, true, "the CLI is running");

    // DELETE does not wait for the CLI to exit (a hang guard, not a speed test).
    const cancelled = await within(gateway.cancel(processId), 3_000, "DELETE /chat/{id} to answer");
    assert.equal(cancelled.status, 200);
    assert.deepEqual(cancelled.body, { status: "cancelled", process_id: processId });

    const rest = await within(reader.rest(), 10_000, "the cancelled stream to end");
    assert.ok(rest.length > 0);
    const outcome = gateway.outcome(processId, reader.raw);
    assert.equal(outcome.error, undefined, "SIGINT ends the CLI with exit 0");
    assert.equal(outcome.done.cancelled, true);
    assert.equal(outcome.done.stop_reason, "cancelled");
    assert.equal(outcome.done.exit_code, 0);
    assert.ok(
      linesOf(outcome, "user").some((line) => userText(line).includes("[Request interrupted by user]")),
      outcome.raw.slice(-3000),
    );
    const partial = linesOf(outcome, "assistant").map(assistantText).join("");
    assert.ok(partial.startsWith("part-00 "), `the partial answer is streamed: ${partial}`);
    assert.ok(!partial.includes("part-39"), "the answer was cut");
    // The result line is usually there (error_during_execution) but the CLI does not always print it.
    if (outcome.result) assert.equal(outcome.result.subtype, "error_during_execution");
    await gateway.waitNoCli(5_000);

    const sessionId = outcome.init.session_id as string;
    assert.equal(outcome.done.session_id, sessionId);
    const followUp = newMarker("after-cancel");
    const resumed = await gateway.chat({ prompt: `Go on ${followUp}`, cwd, session_id: sessionId });
    gateway.assertSuccess(resumed);
    assert.equal(resumed.init.session_id, sessionId);
    const history = gateway.requestFor(followUp).messages;
    assert.ok(
      messageTexts(history.filter((m) => m.role === "assistant")).includes("part-00"),
      "partial answer",
    );
    assert.ok(
      messageTexts(history.filter((m) => m.role === "user")).includes("[Request interrupted by user]"),
    );
  } finally {
    await reader.cancel();
  }
}

async function disconnectStopsCli({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("disconnect");
  const marker = newMarker("disconnect");
  gateway.script(marker, () => reply.slowText("x ".repeat(60), 60, 250));
  const response = await gateway.post({ prompt: `Talk slowly ${marker}`, cwd });
  assert.equal(response.status, 200);
  const processId = response.headers.get("X-Process-ID")!;
  const reader = new SseReader(response);
  try {
    await within(
      reader.until((event) => event.data.includes('"subtype":"init"')),
      20_000,
      "the init line",
    );
    await gateway.waitForPrompt(marker);
    await sleep(CLI_SETTLE_MS);
    assert.ok(gateway.cliPids().length > 0, "the CLI is running");
    const listed = await gateway.processes();
    assert.deepEqual(listed.processes.map((process) => process.process_id), [processId]);
  } finally {
    await reader.cancel();
  }
  // The answer would take 15 s more: a CLI gone before that was stopped by the gateway.
  await gateway.waitNoCli(8_000);
  await waitUntil(
    () => new RegExp(`client disconnected.*${processId}`).test(gateway.server.output()),
    5_000,
    "the server to log the disconnect",
  );
}

gatewayTest("the gateway stops a real CLI chat on DELETE and when its client disconnects", {
  "DELETE /chat/{id} interrupts a chat mid-answer; its session resumes with the partial turn":
    cancelInterruptsAndResumes,
  "a client that disconnects mid-answer leaves no CLI behind": disconnectStopsCli,
});
