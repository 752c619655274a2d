import assert from "node:assert/strict";
import { Metrics } from "../../application/metrics.ts";
import { renderMetrics } from "../../interface/metrics_text.ts";
import { labelNode } from "../../interface/node_label.ts";

Deno.test("labelNode() adds the node to every sample, with or without labels, and leaves comments alone", () => {
  const text = renderMetrics(new Metrics(), { running: 2, queued: 0 });
  const labelled = labelNode(text, "gw1:9876");
  const samples = labelled.split("\n").filter((line) => line !== "" && !line.startsWith("#"));
  assert.ok(samples.length > 10);
  for (const sample of samples) {
    assert.match(sample, /^[a-z0-9_]+\{node="gw1:9876"(,[a-z_]+="[^"]*")*\} \S+$/);
  }
  assert.ok(samples.includes('claudecode2api_chats_running{node="gw1:9876"} 2'));
  assert.ok(samples.includes('claudecode2api_chats_finished_total{node="gw1:9876",outcome="success"} 0'));
  const comments = (body: string) => body.split("\n").filter((line) => line.startsWith("#"));
  assert.deepEqual(comments(labelled), comments(text));
});
