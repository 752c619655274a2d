import assert from "node:assert/strict";
import { Metrics, RUN_TIME_BUCKETS_S } from "../../application/metrics.ts";

Deno.test("Metrics counts started chats, streamed lines and bytes, and reported cost", () => {
  const metrics = new Metrics();
  metrics.chatStarted();
  metrics.chatStarted();
  metrics.lineStreamed(10);
  metrics.lineStreamed(0);
  metrics.costReported(0.5);
  metrics.costReported(0.25);
  assert.equal(metrics.started, 2);
  assert.equal(metrics.lines, 2);
  assert.equal(metrics.bytes, 10);
  assert.equal(metrics.costUsd, 0.75);
});

Deno.test("Metrics counts finished chats by outcome and sorts their run time into buckets", () => {
  const metrics = new Metrics();
  metrics.chatFinished("success", 500);
  metrics.chatFinished("timeout", 20_000);
  metrics.chatFinished("error", 5_000_000);
  assert.deepEqual(metrics.finished, { success: 1, error: 1, cancelled: 0, timeout: 1, disconnected: 0 });
  const { runTime } = metrics;
  assert.equal(runTime.count, 3);
  assert.equal(runTime.sumS, 0.5 + 20 + 5000);
  assert.equal(runTime.buckets.length, RUN_TIME_BUCKETS_S.length);
  // Cumulative buckets: le=1 holds one chat, le=30 two, le=3600 still two (one ran longer).
  assert.equal(runTime.buckets[RUN_TIME_BUCKETS_S.indexOf(1)], 1);
  assert.equal(runTime.buckets[RUN_TIME_BUCKETS_S.indexOf(15)], 1);
  assert.equal(runTime.buckets[RUN_TIME_BUCKETS_S.indexOf(30)], 2);
  assert.equal(runTime.buckets[RUN_TIME_BUCKETS_S.indexOf(3600)], 2);
});
