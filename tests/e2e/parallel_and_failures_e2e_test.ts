/**
 * The gateway end to end under stress: parallel chats of the REAL `claude` CLI stay apart, hostile values
 * stay values, an API error reaches the client, and a large answer passes intact.
 *
 * Run: `deno test --allow-all tests/e2e/parallel_and_failures_e2e_test.ts`
 */

import assert from "node:assert/strict";
import { assistantText, linesOf, systemBlocks } from "./chat_lines.ts";
import { reply } from "./fake_messages_api.ts";
import { newMarker, within } from "./gateway_harness.ts";
import { gatewayTest, type ScenarioContext } from "./gateway_scenarios.ts";

async function parallelChatsStayApart({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("parallel");
  const markers = Array.from({ length: 8 }, (_, i) => newMarker(`parallel${i}`));
  for (const marker of markers) {
    // Derived from the prompt: a chat that got another one's answer would show it.
    gateway.script(marker, (request) => reply.slowText(`ECHO ${request.lastUserText}`, 10, 300));
  }
  const responses = await Promise.all(
    markers.map((marker) => gateway.post({ prompt: `echo ${marker}`, cwd })),
  );
  const ids = responses.map((response) => response.headers.get("X-Process-ID")!);
  try {
    for (const response of responses) assert.equal(response.status, 200);
    const listed = await gateway.processes();
    assert.equal(listed.count, 8);
    assert.deepEqual(listed.processes.map((process) => process.process_id).sort(), [...ids].sort());
    assert.ok(listed.processes.every((process) => process.status === "running" && process.cwd === cwd));
    await Promise.all(markers.map((marker) => gateway.waitForPrompt(marker, 30_000)));
    assert.ok(gateway.cliPids().length >= 8, "eight CLIs are alive");
  } finally {
    const outcomes = await within(
      Promise.all(responses.map(async (response, i) => gateway.outcome(ids[i], await response.text()))),
      60_000,
      "every parallel chat to end",
    );
    outcomes.forEach((outcome, i) => {
      gateway.assertSuccess(outcome);
      assert.equal(outcome.result?.result, `ECHO echo ${markers[i]}`);
    });
    assert.equal(new Set(outcomes.map((outcome) => outcome.init.session_id)).size, 8);
  }
}

async function hostileValuesStayValues({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("hostile");
  const help = await gateway.chat({ prompt: "--help", cwd });
  gateway.assertSuccess(help);
  const helpRequest = gateway.fake.messageRequests.find((request) => request.lastUserText === "--help");
  assert.ok(helpRequest, "the fake received '--help' as the user's text");
  assert.ok(!help.raw.includes("Usage:"), "no help text");

  const marker = newMarker("big");
  const big = `${marker} ${"0123456789abcdef".repeat(300 * 1024 / 16)} ${marker}-end`;
  const bigOutcome = await gateway.chat({ prompt: big, cwd });
  gateway.assertSuccess(bigOutcome);
  assert.equal(gateway.requestFor(marker).lastUserText, big, "the whole 300 KB prompt arrived");

  const flags = newMarker("flags");
  const outcome = await gateway.chat({
    prompt: `flags ${flags}`,
    cwd,
    model: "--help",
    allowed_tools: ["--version"],
    disallowed_tools: ["--print"],
    system_prompt: "--version",
  });
  gateway.assertSuccess(outcome);
  const request = gateway.requestFor(flags);
  assert.equal(request.model, "--help");
  assert.equal(outcome.init.model, "--help");
  assert.equal(systemBlocks(request.body).at(-1), "--version");
  assert.ok(
    !outcome.raw.includes("Usage:") && !outcome.raw.includes("(Claude Code)"),
    "neither help nor version",
  );
}

async function apiErrorEndsStream({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("api-error");
  const marker = newMarker("error");
  gateway.script(marker, () => reply.error(500, "E2E internal failure"));
  const outcome = await gateway.chat({ prompt: `fail ${marker}`, cwd }, 20_000);
  assert.equal(gateway.requestsWith(marker).length, 1, "CLAUDE_CODE_MAX_RETRIES=0: one request");
  const apiError = linesOf(outcome, "assistant").map(assistantText).join("");
  assert.match(apiError, /API Error: 500/);
  assert.equal(outcome.result?.is_error, true);
  assert.equal(outcome.result?.api_error_status, 500);
  assert.equal(outcome.error?.exit_code, 1);
  assert.equal(outcome.error?.process_id, outcome.processId);
  assert.equal(typeof outcome.error?.message, "string");
  assert.equal(outcome.done.exit_code, 1);
  assert.equal(outcome.done.cancelled, false);
}

async function largeAnswerPassesIntact({ gateway }: ScenarioContext): Promise<void> {
  const cwd = await gateway.newCwd("large");
  const marker = newMarker("large");
  const large = reply.largeText(400_000, `<<END-${marker}>>`);
  gateway.script(marker, () => large);
  const outcome = await gateway.chat({ prompt: `big answer ${marker}`, cwd });
  gateway.assertSuccess(outcome);
  assert.equal(outcome.result?.result, large.text);
  assert.equal(assistantText(linesOf(outcome, "assistant")[0]), large.text);
}

gatewayTest(
  "the gateway keeps parallel chats apart, hostile values inert, and API errors and large answers intact",
  {
    "eight parallel chats each get their own answer and are listed while they run": parallelChatsStayApart,
    "hostile values stay values: '--help' prompt, 300 KB prompt, '--' model and tools":
      hostileValuesStayValues,
    "an HTTP 500 from the API ends the stream with the CLI's error, an error event and done":
      apiErrorEndsStream,
    "a 400 KB answer passes intact": largeAnswerPassesIntact,
  },
);
