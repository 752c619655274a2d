import assert from "node:assert/strict";
import { systemClock } from "../../infrastructure/system_clock.ts";
import { FakeClock } from "../support/fake_clock.ts";

Deno.test("systemClock fires a timer and cancels another", async () => {
  const fired: string[] = [];
  const done = Promise.withResolvers<void>();
  systemClock.setTimeout(() => fired.push("cancelled"), 5).cancel();
  systemClock.setTimeout(() => {
    fired.push("kept");
    done.resolve();
  }, 10);
  await done.promise;
  assert.deepEqual(fired, ["kept"]);
  assert.ok(Math.abs(systemClock.now() - Date.now()) < 1000);
});

Deno.test("FakeClock fires due timers in order during advance, including ones they set", () => {
  const clock = new FakeClock(0);
  const fired: string[] = [];
  clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
  clock.setTimeout(() => {
    fired.push(`a@${clock.now()}`);
    clock.setTimeout(() => fired.push(`c@${clock.now()}`), 5);
  }, 10);
  clock.setTimeout(() => fired.push("never"), 1).cancel();
  clock.advance(16);
  assert.deepEqual(fired, ["a@10", "c@15"]);
  assert.equal(clock.now(), 16);
  clock.advance(100);
  assert.deepEqual(fired, ["a@10", "c@15", "b@20"]);
  assert.equal(clock.pending, 0);
});
