import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../infrastructure/config.ts";

Deno.test("loadConfig() leaves the warm pool off by default", () => {
  assert.deepEqual(loadConfig({}).warm, { perConfig: 0, max: 4, idleMs: 60_000 });
});

Deno.test("loadConfig() reads WARM_POOL, WARM_POOL_MAX and WARM_IDLE_S (0: no idle limit)", () => {
  assert.deepEqual(loadConfig({ WARM_POOL: "3", WARM_POOL_MAX: "10", WARM_IDLE_S: "0" }).warm, {
    perConfig: 3,
    max: 10,
    idleMs: 0,
  });
});

Deno.test("loadConfig() refuses a WARM_POOL above WARM_POOL_MAX, naming both", () => {
  assert.throws(
    () => loadConfig({ WARM_POOL: "5" }),
    (error: Error) =>
      error instanceof ConfigError &&
      error.message === 'invalid WARM_POOL="5": is more than WARM_POOL_MAX (4)',
  );
});

Deno.test("loadConfig() refuses a negative or fractional WARM_POOL", () => {
  assert.throws(() => loadConfig({ WARM_POOL: "-1" }), /invalid WARM_POOL="-1"/);
  assert.throws(() => loadConfig({ WARM_POOL: "1.5" }), /invalid WARM_POOL="1.5"/);
  assert.throws(() => loadConfig({ WARM_IDLE_S: "soon" }), /invalid WARM_IDLE_S="soon"/);
});
