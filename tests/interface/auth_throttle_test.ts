import assert from "node:assert/strict";
import { AuthThrottle, type AuthThrottleOptions } from "../../interface/auth_throttle.ts";

/** A throttle on a clock the test moves by hand. */
function setup(options: Partial<Omit<AuthThrottleOptions, "now">> = {}) {
  const clock = { ms: 1_000_000 };
  const throttle = new AuthThrottle({ maxFailures: 3, windowMs: 60_000, now: () => clock.ms, ...options });
  return { throttle, clock };
}

Deno.test("AuthThrottle lets an address with no failures try at once", () => {
  const { throttle } = setup();
  assert.equal(throttle.retryAfterS("10.0.0.1"), 0);
});

Deno.test("AuthThrottle lets an address under the limit try at once", () => {
  const { throttle } = setup();
  throttle.recordFailure("10.0.0.1");
  throttle.recordFailure("10.0.0.1");
  assert.equal(throttle.retryAfterS("10.0.0.1"), 0);
});

Deno.test("AuthThrottle refuses an address at the limit until the oldest failure ages out", () => {
  const { throttle, clock } = setup();
  throttle.recordFailure("10.0.0.1");
  clock.ms += 10_000;
  throttle.recordFailure("10.0.0.1");
  clock.ms += 10_000;
  throttle.recordFailure("10.0.0.1");
  // The oldest failure was 20 s ago in a 60 s window.
  assert.equal(throttle.retryAfterS("10.0.0.1"), 40);
});

Deno.test("AuthThrottle rounds the wait up to whole seconds, never below 1", () => {
  const { throttle, clock } = setup({ maxFailures: 1 });
  throttle.recordFailure("a");
  clock.ms += 500;
  assert.equal(throttle.retryAfterS("a"), 60);
  clock.ms += 58_999;
  assert.equal(throttle.retryAfterS("a"), 1);
  clock.ms += 499;
  assert.equal(throttle.retryAfterS("a"), 1);
});

Deno.test("AuthThrottle shortens the wait as the clock moves on", () => {
  const { throttle, clock } = setup({ maxFailures: 2 });
  throttle.recordFailure("a");
  throttle.recordFailure("a");
  assert.equal(throttle.retryAfterS("a"), 60);
  clock.ms += 45_000;
  assert.equal(throttle.retryAfterS("a"), 15);
});

Deno.test("AuthThrottle does not refuse other addresses", () => {
  const { throttle } = setup();
  for (let i = 0; i < 5; i++) throttle.recordFailure("10.0.0.1");
  assert.ok(throttle.retryAfterS("10.0.0.1") > 0);
  assert.equal(throttle.retryAfterS("10.0.0.2"), 0);
  assert.equal(throttle.retryAfterS("::1"), 0);
});

Deno.test("AuthThrottle lets an address try again once its failures age out", () => {
  const { throttle, clock } = setup();
  for (let i = 0; i < 3; i++) throttle.recordFailure("a");
  clock.ms += 59_999;
  assert.equal(throttle.retryAfterS("a"), 1);
  clock.ms += 1;
  assert.equal(throttle.retryAfterS("a"), 0);
});

Deno.test("AuthThrottle counts only failures inside the sliding window", () => {
  const { throttle, clock } = setup();
  throttle.recordFailure("a");
  clock.ms += 30_000;
  throttle.recordFailure("a");
  clock.ms += 31_000;
  // The first failure has aged out: one more makes two, still under the limit of three.
  throttle.recordFailure("a");
  assert.equal(throttle.retryAfterS("a"), 0);
  throttle.recordFailure("a");
  // Now at three: the oldest in the window is the one from 31 s ago.
  assert.equal(throttle.retryAfterS("a"), 29);
});

Deno.test("AuthThrottle keeps counting failures recorded while refused", () => {
  const { throttle, clock } = setup();
  for (let i = 0; i < 3; i++) throttle.recordFailure("a");
  clock.ms += 50_000;
  throttle.recordFailure("a");
  clock.ms += 10_000;
  // The first three aged out; the one from 10 s ago remains, under the limit.
  assert.equal(throttle.retryAfterS("a"), 0);
});

Deno.test("AuthThrottle forgets the stalest address when more than maxAddresses are tracked", () => {
  const { throttle } = setup({ maxFailures: 1, maxAddresses: 2 });
  throttle.recordFailure("a");
  throttle.recordFailure("b");
  throttle.recordFailure("c");
  assert.equal(throttle.retryAfterS("a"), 0);
  assert.ok(throttle.retryAfterS("b") > 0);
  assert.ok(throttle.retryAfterS("c") > 0);
});

Deno.test("AuthThrottle keeps an address that failed again over one that did not", () => {
  const { throttle } = setup({ maxFailures: 1, maxAddresses: 2 });
  throttle.recordFailure("a");
  throttle.recordFailure("b");
  throttle.recordFailure("a");
  throttle.recordFailure("c");
  assert.ok(throttle.retryAfterS("a") > 0);
  assert.equal(throttle.retryAfterS("b"), 0);
  assert.ok(throttle.retryAfterS("c") > 0);
});

Deno.test("AuthThrottle stays bounded under a flood of distinct addresses", () => {
  const { throttle } = setup({ maxFailures: 1, maxAddresses: 100 });
  for (let i = 0; i < 5_000; i++) throttle.recordFailure(`10.0.${i >> 8}.${i & 255}`);
  const tracked = Array.from({ length: 5_000 }, (_, i) => `10.0.${i >> 8}.${i & 255}`)
    .filter((address) => throttle.retryAfterS(address) > 0);
  assert.equal(tracked.length, 100);
  assert.deepEqual(
    tracked,
    Array.from({ length: 100 }, (_, k) => 4_900 + k).map((i) => `10.0.${i >> 8}.${i & 255}`),
  );
});

Deno.test("AuthThrottle tracks 10,000 addresses by default", () => {
  const { throttle } = setup({ maxFailures: 1 });
  for (let i = 0; i <= 10_000; i++) throttle.recordFailure(`addr-${i}`);
  assert.equal(throttle.retryAfterS("addr-0"), 0);
  assert.ok(throttle.retryAfterS("addr-1") > 0);
  assert.ok(throttle.retryAfterS("addr-10000") > 0);
});

Deno.test("AuthThrottle does not start tracking an address it is only asked about", () => {
  const { throttle } = setup({ maxFailures: 1, maxAddresses: 2 });
  throttle.recordFailure("a");
  for (let i = 0; i < 10; i++) throttle.retryAfterS(`probe-${i}`);
  // Were the probes tracked, this failure would push "a" (the stalest) out.
  throttle.recordFailure("b");
  assert.ok(throttle.retryAfterS("a") > 0);
  assert.ok(throttle.retryAfterS("b") > 0);
});
