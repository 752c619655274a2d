import assert from "node:assert/strict";
import { type ChatEnding, chatOutcome, endEvents } from "../../application/chat_ending.ts";
import type { CliExit } from "../../domain/cli_runner.ts";
import { SAMPLE_DONE_DATA } from "../support/chat_events.ts";

const EXIT_OK: CliExit = { code: 0, signal: null, stderrTail: "" };

function ending(overrides: Partial<ChatEnding> = {}): ChatEnding {
  return {
    processId: "p1",
    exit: EXIT_OK,
    stopReason: null,
    launchFailure: null,
    sessionId: "s-1",
    durationMs: 1234,
    limits: { maxRunMs: 600_000, idleMs: 30_000, inactiveMs: 600_000 },
    ...overrides,
  };
}

Deno.test("endEvents() ends a clean exit with done alone", () => {
  assert.deepEqual(endEvents(ending()), [{ type: "done", data: SAMPLE_DONE_DATA }]);
});

Deno.test("endEvents() puts an error with the stderr tail before done when the CLI fails", () => {
  const events = endEvents(ending({ exit: { code: null, signal: "SIGKILL", stderrTail: "boom" } }));
  assert.deepEqual(events.map((event) => event.type), ["error", "done"]);
  assert.deepEqual(events[0].type === "error" && events[0].data, {
    process_id: "p1",
    exit_code: null,
    signal: "SIGKILL",
    stderr: "boom",
    message: "the CLI was killed by SIGKILL",
  });
  const failed = endEvents(ending({ exit: { code: 2, signal: null, stderrTail: "" } }))[0];
  assert.equal(failed.type === "error" && failed.data.message, "the CLI exited with code 2");
});

Deno.test("endEvents() names the limit that stopped a chat, even after a clean exit", () => {
  const [idle, done] = endEvents(ending({ stopReason: "idle" }));
  assert.ok(idle.type === "error");
  assert.equal(idle.data.reason, "idle");
  assert.equal(idle.data.message, "stopped: the CLI printed nothing for IDLE_TIMEOUT_S (30 s)");
  assert.ok(done.type === "done" && done.data.cancelled && done.data.stop_reason === "idle");
  const [maxRun] = endEvents(ending({ stopReason: "max_run" }));
  assert.equal(
    maxRun.type === "error" && maxRun.data.message,
    "stopped: the chat ran longer than MAX_RUN_S (600 s)",
  );
});

Deno.test("endEvents() reports a cancel without an error", () => {
  const events = endEvents(ending({ stopReason: "cancelled" }));
  assert.deepEqual(events.map((event) => event.type), ["done"]);
  assert.ok(events[0].type === "done" && events[0].data.cancelled);
});

Deno.test("endEvents() explains a chat that never got its CLI", () => {
  const launchFailure = { reason: "queue_timeout" as const, message: "no slot became free within 60 s" };
  const events = endEvents(ending({ exit: null, launchFailure }));
  assert.deepEqual(events[0], {
    type: "error",
    data: {
      process_id: "p1",
      exit_code: null,
      signal: null,
      stderr: "",
      message: "no slot became free within 60 s",
      reason: "queue_timeout",
    },
  });
  assert.ok(events[1].type === "done" && events[1].data.stop_reason === "queue_timeout");
  assert.equal(events[1].data.exit_code, null);
  const cancelledInQueue = endEvents(ending({ exit: null, stopReason: "cancelled" }));
  assert.deepEqual(cancelledInQueue.map((event) => event.type), ["done"]);
});

Deno.test("chatOutcome() sorts every ending into one outcome", () => {
  const failure = (reason: "queue_timeout" | "start_failed") => ({ reason, message: "" });
  assert.equal(chatOutcome(ending()), "success");
  assert.equal(chatOutcome(ending({ exit: { ...EXIT_OK, code: 1 } })), "error");
  assert.equal(chatOutcome(ending({ stopReason: "max_run" })), "timeout");
  assert.equal(chatOutcome(ending({ stopReason: "idle" })), "timeout");
  assert.equal(chatOutcome(ending({ stopReason: "disconnected" })), "disconnected");
  assert.equal(chatOutcome(ending({ stopReason: "cancelled" })), "cancelled");
  assert.equal(chatOutcome(ending({ stopReason: "shutdown" })), "cancelled");
  assert.equal(chatOutcome(ending({ exit: null, launchFailure: failure("queue_timeout") })), "timeout");
  assert.equal(chatOutcome(ending({ exit: null, launchFailure: failure("start_failed") })), "error");
});
