import assert from "node:assert/strict";
import { ControlRequests } from "../../application/control_requests.ts";
import { CliTimeoutError, ConflictError } from "../../domain/errors.ts";
import { FakeClock } from "../support/fake_clock.ts";

function setup() {
  const clock = new FakeClock();
  const sent: Record<string, unknown>[] = [];
  const controls = new ControlRequests({
    clock,
    timeoutMs: 15_000,
    send: (line) => sent.push(JSON.parse(line)),
  });
  const answer = (requestId: string, response: object) =>
    controls.answered({ type: "control_response", response: { request_id: requestId, ...response } });
  return { clock, sent, controls, answer };
}

Deno.test("ControlRequests matches answers to requests by id, in whatever order they come", async () => {
  const { sent, controls, answer, clock } = setup();
  const first = controls.send("a", { subtype: "set_model", model: "haiku" });
  const second = controls.send("b", { subtype: "interrupt" });
  assert.deepEqual(sent, [
    { type: "control_request", request_id: "a", request: { subtype: "set_model", model: "haiku" } },
    { type: "control_request", request_id: "b", request: { subtype: "interrupt" } },
  ]);
  answer("unknown", { subtype: "success", response: {} });
  answer("b", { subtype: "success", response: { still_queued: [] } });
  answer("a", { subtype: "success", response: { model: "haiku" } });
  assert.deepEqual(await second, { still_queued: [] });
  assert.deepEqual(await first, { model: "haiku" });
  assert.equal(clock.pending, 0, "no timer is left once answered");
});

Deno.test("ControlRequests rejects a refusal with cli_refused, a silence with cli_timeout, and all at the end with chat_ended", async () => {
  const { controls, answer, clock } = setup();
  const refused = controls.send("a", { subtype: "set_permission_mode", mode: "bypassPermissions" });
  answer("a", { subtype: "error", error: "Cannot set permission mode" });
  await assert.rejects(refused, (error: unknown) => {
    assert.ok(error instanceof ConflictError);
    assert.equal(error.code, "cli_refused");
    assert.equal(error.message, "the CLI refused: Cannot set permission mode");
    return true;
  });
  const silent = controls.send("b", { subtype: "interrupt" });
  clock.advance(15_000);
  await assert.rejects(silent, CliTimeoutError);
  const pending = controls.send("c", { subtype: "interrupt" });
  controls.endAll();
  await assert.rejects(
    pending,
    (error: unknown) => error instanceof ConflictError && error.code === "chat_ended",
  );
  assert.equal(clock.pending, 0);
});
