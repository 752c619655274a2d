import assert from "node:assert/strict";
import { createHealth } from "../../application/health.ts";
import { SPARE_RSS_ESTIMATE_BYTES, type WarmPoolStats } from "../../application/warm_pool_stats.ts";
import type { CliProbe } from "../../domain/cli_probe.ts";

const probe: CliProbe = {
  identify: () => Promise.resolve({ fingerprint: "inode-1" }),
  version: () => Promise.resolve("2.1.328 (Claude Code)"),
};

function stats(spares: number): WarmPoolStats {
  return { spares, configs: 1, perConfig: 2, max: 6, hits: 0, misses: 0, died: 0, retired: 0 };
}

Deno.test("health() shows the warm pool's spares and memory when it is on, as it is at each call", async () => {
  let spares = 2;
  const health = createHealth({
    cli: { path: "/bin/claude" },
    probe,
    sandbox: "off",
    warmPool: () => stats(spares),
  });
  assert.deepEqual((await health()).warm_pool, {
    spares: 2,
    max: 6,
    memory_estimate_bytes: 2 * SPARE_RSS_ESTIMATE_BYTES,
    memory_bound_bytes: 6 * SPARE_RSS_ESTIMATE_BYTES,
  });
  spares = 0;
  assert.equal((await health()).warm_pool?.spares, 0);
});

Deno.test("health() shows the warm pool in an error report too, and no warm_pool when it is off", async () => {
  const failing = createHealth({
    cli: { path: null, error: "not found" },
    probe,
    sandbox: "off",
    warmPool: () => stats(1),
  });
  const report = await failing();
  assert.equal(report.status, "error");
  assert.equal(report.warm_pool?.spares, 1);
  const off = createHealth({ cli: { path: "/bin/claude" }, probe, sandbox: "off" });
  assert.equal("warm_pool" in await off(), false);
});
