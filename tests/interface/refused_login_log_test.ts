import assert from "node:assert/strict";
import type { LogFields } from "../../application/logger.ts";
import { RefusedLoginLog } from "../../interface/refused_login_log.ts";

function setUp(maxAddresses?: number) {
  let now = 0;
  const lines: LogFields[] = [];
  const log = new RefusedLoginLog({
    windowMs: 60_000,
    now: () => now,
    warn: (_message, fields) => lines.push(fields),
    maxAddresses,
  });
  return { log, lines, advance: (ms: number) => now += ms };
}

Deno.test("RefusedLoginLog writes one line per address per window, however many logins are refused", () => {
  const { log, lines } = setUp();
  for (let i = 0; i < 3000; i++) log.refused("10.0.0.1", "wrong credentials");
  log.refused("10.0.0.2", "wrong credentials");
  assert.deepEqual(lines.map((line) => line.address), ["10.0.0.1", "10.0.0.2"]);
});

Deno.test("RefusedLoginLog reports the refusals it held back on the address's next line", () => {
  const { log, lines, advance } = setUp();
  for (let i = 0; i < 5; i++) log.refused("10.0.0.1", "wrong credentials");
  advance(59_999);
  log.refused("10.0.0.1", "throttled");
  assert.equal(lines.length, 1);
  advance(1);
  log.refused("10.0.0.1", "throttled");
  assert.equal(lines.length, 2);
  assert.deepEqual(lines[1], {
    address: "10.0.0.1",
    reason: "throttled",
    refused_since_last: 5,
    window_s: 60,
  });
});

Deno.test("RefusedLoginLog forgets the stalest addresses beyond its bound", () => {
  const { log, lines } = setUp(2);
  log.refused("a", "wrong credentials");
  log.refused("b", "wrong credentials");
  log.refused("c", "wrong credentials");
  log.refused("a", "wrong credentials");
  assert.deepEqual(lines.map((line) => line.address), ["a", "b", "c", "a"]);
});
