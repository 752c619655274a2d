import assert from "node:assert/strict";
import { Metrics } from "../../application/metrics.ts";
import { StreamFacts } from "../../application/stream_facts.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("StreamFacts counts every line and its bytes, into the metrics too", () => {
  const metrics = new Metrics();
  const facts = new StreamFacts(null, metrics);
  facts.observe(bytes('{"type":"assistant"}'));
  facts.observe(bytes(""));
  facts.observe(bytes("plain"));
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
  const metrics = new Metrics();
  const facts = new StreamFacts(null, metrics);
  facts.observe(bytes('{"type":"result","total_cost_usd":0.5}'));
  facts.observe(bytes('{"duration_api_ms":3,"total_cost_usd":0.25,"type":"result"}'));
  facts.observe(bytes('{"type":"result","total_cost_usd":"free"}'));
  facts.observe(bytes('{"type":"assistant","total_cost_usd":9}'));
  assert.equal(metrics.costUsd, 0.75);
});
