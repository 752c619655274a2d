import assert from "node:assert/strict";
import { ChatTimers, type TimeLimits } from "../../application/chat_timers.ts";
import type { LimitReason } from "../../domain/chat_event.ts";
import { FakeClock } from "../support/fake_clock.ts";

function setup(limits: Partial<TimeLimits>) {
  const clock = new FakeClock();
  const reached: LimitReason[] = [];
  const timers = new ChatTimers({
    limits: { maxRunMs: 0, idleMs: 0, inactiveMs: 0, ...limits },
    clock,
    onLimit: (reason) => reached.push(reason),
  });
  return { clock, reached, timers };
}

/** Moves the clock to just before `ms` (nothing reached), then to `ms` (`reason` reached). */
function assertReachedAfter(ms: number, reason: LimitReason, { clock, reached }: ReturnType<typeof setup>) {
  clock.advance(ms - 1);
  assert.deepEqual(reached, []);
  clock.advance(1);
  assert.deepEqual(reached, [reason]);
}

Deno.test("ChatTimers reports max_run once the run has lasted maxRunMs", () => {
  const chat = setup({ maxRunMs: 10_000 });
  chat.clock.advance(5_000);
  chat.timers.runStarted();
  assertReachedAfter(10_000, "max_run", chat);
});

Deno.test("ChatTimers reports idle when one read has waited idleMs", () => {
  const chat = setup({ idleMs: 40_000 });
  chat.timers.readStarted();
  assertReachedAfter(40_000, "idle", chat);
});

Deno.test("ChatTimers measures idleness from the start of the current read, with one timer", () => {
  const chat = setup({ idleMs: 40_000 });
  chat.timers.readStarted();
  chat.clock.advance(30_000);
  chat.timers.readEnded();
  chat.timers.readStarted();
  assert.equal(chat.clock.pending, 1);
  assertReachedAfter(40_000, "idle", chat);
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

Deno.test("ChatTimers does not call a chat idle while it is held (the CLI waits for its client)", () => {
  const { clock, reached, timers } = setup({ idleMs: 40_000 });
  timers.readStarted();
  clock.advance(30_000);
  timers.setHeld(true);
  clock.advance(200_000);
  assert.deepEqual(reached, []);
  timers.setHeld(false);
  clock.advance(39_999);
  assert.deepEqual(reached, [], "idleness counts afresh from the release");
  clock.advance(1);
  assert.deepEqual(reached, ["idle"]);
});

Deno.test("ChatTimers reports inactive once an interactive chat has waited inactiveMs for anything", () => {
  const chat = setup({ inactiveMs: 600_000 });
  chat.timers.setInactive(true);
  chat.timers.setInactive(true);
  assert.equal(chat.clock.pending, 1, "one timer however often it is said");
  assertReachedAfter(600_000, "inactive", chat);
});

Deno.test("ChatTimers starts the inactive limit afresh after activity, and never with a limit of zero or once stopped", () => {
  const chat = setup({ inactiveMs: 600_000 });
  chat.timers.setInactive(true);
  chat.clock.advance(500_000);
  chat.timers.setInactive(false);
  assert.equal(chat.clock.pending, 0);
  chat.timers.setInactive(true);
  assertReachedAfter(600_000, "inactive", chat);

  const off = setup({});
  off.timers.setInactive(true);
  assert.equal(off.clock.pending, 0);

  const stopped = setup({ inactiveMs: 1_000 });
  stopped.timers.setInactive(true);
  stopped.timers.stop();
  stopped.timers.setInactive(true);
  stopped.clock.advance(10_000);
  assert.deepEqual(stopped.reached, []);
  assert.equal(stopped.clock.pending, 0);
});
