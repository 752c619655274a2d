import assert from "node:assert/strict";
import { Metrics } from "../../application/metrics.ts";
import { StreamFacts } from "../../application/stream_facts.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/** Facts fed `lines`, and the metrics they counted into. */
function observed(lines: string[]) {
  const metrics = new Metrics();
  const facts = new StreamFacts(null, metrics);
  for (const line of lines) facts.observe(bytes(line));
  return { facts, metrics };
}

Deno.test("StreamFacts counts every line and its bytes, into the metrics too", () => {
  const { facts, metrics } = observed(['{"type":"assistant"}', "", "plain"]);
  assert.equal(facts.lines, 3);
  assert.equal(facts.bytes, 25);
  assert.equal(metrics.lines, 3);
  assert.equal(metrics.bytes, 25);
});

Deno.test("StreamFacts takes the session id of the first init line, whatever its key order", () => {
  const facts = new StreamFacts("from-request", new Metrics());
  assert.equal(facts.sessionId, "from-request");
  facts.observe(bytes('{"cwd":"/w","session_id":"s-1","subtype":"init","type":"system"}'));
  assert.equal(facts.sessionId, "s-1");
  facts.observe(bytes('{"type":"system","subtype":"init","session_id":"s-2"}'));
  assert.equal(facts.sessionId, "s-1");
});

Deno.test("StreamFacts keeps the known session id when the init line carries none", () => {
  const facts = new StreamFacts("from-request", new Metrics());
  facts.observe(bytes('{"type":"system","subtype":"init","session_id":42}'));
  assert.equal(facts.sessionId, "from-request");
});

Deno.test("StreamFacts adds the cost of every result line, whatever its key order", () => {
  const { metrics } = observed([
    '{"type":"result","total_cost_usd":0.5}',
    '{"duration_api_ms":3,"total_cost_usd":0.25,"type":"result"}',
    '{"type":"result","total_cost_usd":"free"}',
    '{"type":"assistant","total_cost_usd":9}',
  ]);
  assert.equal(metrics.costUsd, 0.75);
});
