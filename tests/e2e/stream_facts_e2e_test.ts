/**
 * What the gateway learns from the real CLI's stream-json: the session id of its `init` line and the cost
 * of its `result` line. The real `claude` CLI runs against the local fake Messages API, whose answers
 * carry usage tokens, so the CLI prices each turn and prints a non-zero `total_cost_usd`. CLI 2.1.328
 * prints that result line with `type` far from the first key, which a key-order match never saw.
 *
 * Run: `CLAUDE_PATH=… deno test --allow-all tests/e2e/stream_facts_e2e_test.ts`
 */

import assert from "node:assert/strict";
import { SERVER_AUTH } from "../../testkit/server_process.ts";
import { reply } from "./fake_messages_api.ts";
import { Gateway, newMarker } from "./gateway_harness.ts";

async function costMetric(gateway: Gateway): Promise<number> {
  const response = await fetch(`${gateway.url}/metrics`, { headers: SERVER_AUTH });
  assert.equal(response.status, 200);
  const text = await response.text();
  const value = /^claudecode2api_cost_usd_total (\S+)$/m.exec(text)?.[1];
  assert.ok(value !== undefined, `no cost metric in:\n${text}`);
  return Number(value);
}

Deno.test("a real chat's result line feeds the cost metric, and done carries the init line's session id", async () => {
  const gateway = await Gateway.start();
  try {
    assert.equal(await costMetric(gateway), 0);
    const cwd = await gateway.newCwd("facts");
    const marker = newMarker("facts");
    gateway.script(marker, () => reply.text(`Noted (${marker}).`));
    const outcome = await gateway.chat({ prompt: `Note this (${marker})`, cwd });
    gateway.assertSuccess(outcome);

    const cost = outcome.result?.total_cost_usd;
    assert.ok(
      typeof cost === "number" && cost > 0,
      `the CLI reported no cost: ${JSON.stringify(outcome.result)}`,
    );
    assert.equal(await costMetric(gateway), cost);

    // No session id in the request: the one in done can only come from the CLI's init line.
    assert.equal(typeof outcome.init.session_id, "string");
    assert.equal(outcome.done.session_id, outcome.init.session_id);
    assert.equal(outcome.result?.session_id, outcome.init.session_id);
    await gateway.waitNoCli();
    await gateway.waitNoProcesses();
  } finally {
    await gateway.close();
  }
});
