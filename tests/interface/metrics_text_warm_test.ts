import assert from "node:assert/strict";
import { Metrics } from "../../application/metrics.ts";
import { SPARE_RSS_ESTIMATE_BYTES } from "../../application/warm_pool_stats.ts";
import { renderMetrics } from "../../interface/metrics_text.ts";

Deno.test("renderMetrics() shows the warm pool's gauges and counters when it is on", () => {
  const text = renderMetrics(new Metrics(), { running: 1, queued: 0 }, {
    spares: 3,
    configs: 2,
    perConfig: 2,
    max: 4,
    hits: 7,
    misses: 2,
    died: 1,
    retired: 5,
  });
  assert.match(text, /^claudecode2api_warm_spares 3$/m);
  assert.match(text, /^claudecode2api_warm_spares_max 4$/m);
  assert.match(
    text,
    new RegExp(`^claudecode2api_warm_memory_estimate_bytes ${3 * SPARE_RSS_ESTIMATE_BYTES}$`, "m"),
  );
  assert.match(text, /^claudecode2api_warm_starts_total\{start="warm"\} 7$/m);
  assert.match(text, /^claudecode2api_warm_starts_total\{start="cold"\} 2$/m);
  assert.match(text, /^claudecode2api_warm_spares_ended_total\{reason="retired"\} 5$/m);
  assert.match(text, /^claudecode2api_warm_spares_ended_total\{reason="died"\} 1$/m);
  assert.match(text, /^# TYPE claudecode2api_warm_spares gauge$/m);
});

Deno.test("renderMetrics() has no warm pool lines when it is off", () => {
  assert.doesNotMatch(renderMetrics(new Metrics(), { running: 0, queued: 0 }), /warm/);
});
