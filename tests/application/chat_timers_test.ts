import assert from "node:assert/strict";
import { ChatTimers, type TimeLimits } from "../../application/chat_timers.ts";
import type { LimitReason } from "../../domain/chat_event.ts";
import { FakeClock } from "../support/fake_clock.ts";

function setup(limits: Partial<TimeLimits>) {
  const clock = new FakeClock();
  const reached: LimitReason[] = [];
  const timers = new ChatTimers({
    limits: { maxRunMs: 0, idleMs: 0, ...limits },
    clock,
    onLimit: (reason) => reached.push(reason),
  });
  return { clock, reached, timers };
}

Deno.test("ChatTimers reports max_run once the run has lasted maxRunMs", () => {
  const { clock, reached, timers } = setup({ maxRunMs: 10_000 });
  clock.advance(5_000);
  timers.runStarted();
  clock.advance(9_999);
  assert.deepEqual(reached, []);
  clock.advance(1);
  assert.deepEqual(reached, ["max_run"]);
});

Deno.test("ChatTimers reports idle when one read has waited idleMs", () => {
  const { clock, reached, timers } = setup({ idleMs: 40_000 });
  timers.readStarted();
  clock.advance(39_999);
  assert.deepEqual(reached, []);
  clock.advance(1);
  assert.deepEqual(reached, ["idle"]);
});

Deno.test("ChatTimers measures idleness from the start of the current read, with one timer", () => {
  const { clock, reached, timers } = setup({ idleMs: 40_000 });
  timers.readStarted();
  clock.advance(30_000);
  timers.readEnded();
  timers.readStarted();
  assert.equal(clock.pending, 1);
  clock.advance(30_000);
  assert.deepEqual(reached, []);
  clock.advance(10_000);
  assert.deepEqual(reached, ["idle"]);
});

Deno.test("ChatTimers never calls a chat idle while no read waits", () => {
  const { clock, reached, timers } = setup({ idleMs: 40_000 });
  timers.readStarted();
  timers.readEnded();
  clock.advance(200_000);
  assert.deepEqual(reached, []);
  assert.equal(clock.pending, 0);
});

Deno.test("ChatTimers sets no timer for a limit of zero", () => {
  const { clock, timers } = setup({});
  timers.runStarted();
  timers.readStarted();
  assert.equal(clock.pending, 0);
});

Deno.test("ChatTimers.stop() cancels both limits and arms nothing afterwards", () => {
  const { clock, reached, timers } = setup({ maxRunMs: 10_000, idleMs: 5_000 });
  timers.runStarted();
  timers.readStarted();
  timers.stop();
  assert.equal(clock.pending, 0);
  timers.readStarted();
  timers.runStarted();
  clock.advance(60_000);
  assert.deepEqual(reached, []);
  assert.equal(clock.pending, 0);
});
