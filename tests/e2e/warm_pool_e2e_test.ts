/**
 * The warm pool end to end: a gateway with `WARM_POOL=1` runs the REAL `claude` CLI against the fake
 * Messages API. A chat served by a spare (a CLI that was running before the request) streams the same lines
 * as the cold chat of the same configuration before it, writes a session that a later chat resumes, and no
 * CLI outlives the gateway.
 *
 * Run: `deno test --allow-all tests/e2e/warm_pool_e2e_test.ts`
 */

import assert from "node:assert/strict";
import type { Json } from "./chat_lines.ts";
import { messageTexts } from "./chat_lines.ts";
import { reply } from "./fake_messages_api.ts";
import { Gateway, newMarker } from "./gateway_harness.ts";
import { waitFor } from "../../testkit/wait_for.ts";

/**
 * Values that differ between any two runs of the same chat: ids, times and durations, and the CLI's socket
 * (named after its pid, in its own TMPDIR).
 */
const VOLATILE = new Set([
  "session_id",
  "uuid",
  "id",
  "process_id",
  "request_id",
  "timestamp",
  "messaging_socket_path",
  "duration_ms",
  "duration_api_ms",
  "first_content_frame_ms",
  "time_to_request_ms",
  "ttft_ms",
  "ttft_stream_ms",
]);

/** `value` without its {@link VOLATILE} keys, at every depth. */
function stable(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stable);
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).filter(([key]) => !VOLATILE.has(key)).map(([key, item]) => [key, stable(item)]),
  );
}

async function warmSpares(gateway: Gateway): Promise<number> {
  const health = await (await fetch(`${gateway.url}/health`)).json();
  return health.warm_pool?.spares ?? -1;
}

/** The pid the gateway logged for the chat `processId` ("chat started"). */
function loggedPid(gateway: Gateway, processId: string): number {
  const line = gateway.server.output().split("\n").find((line) =>
    line.includes('msg="chat started"') && line.includes(`process_id=${processId}`)
  );
  assert.ok(line, `no "chat started" line for ${processId}`);
  return Number(/ pid=(\d+)/.exec(line)![1]);
}

Deno.test("a chat served by a warm spare of the real CLI streams the same lines as a cold one", async () => {
  const gateway = await Gateway.start({ WARM_POOL: "1", WARM_IDLE_S: "600" });
  try {
    const cwd = await gateway.newCwd("warm");
    const marker = newMarker("warm");
    gateway.script(marker, () => reply.text(`Hello, ${marker}.`));
    const body: Json = { prompt: `Say hello (${marker})`, cwd };

    const cold = await gateway.chat(body);
    gateway.assertSuccess(cold);
    await waitFor(async () => await warmSpares(gateway) === 1, "a spare of the chat's configuration", 30_000);
    const before = new Set(gateway.cliPids());
    assert.ok(before.size > 0, "the spare is running");

    const warm = await gateway.chat(body);
    gateway.assertSuccess(warm);
    assert.ok(
      before.has(loggedPid(gateway, warm.processId)),
      "the chat ran on a CLI started before its request",
    );
    assert.notEqual(loggedPid(gateway, cold.processId), loggedPid(gateway, warm.processId));

    assert.deepEqual(
      warm.lines.map((line) => [line.type, line.subtype]),
      cold.lines.map((line) => [line.type, line.subtype]),
    );
    assert.deepEqual(stable(warm.lines), stable(cold.lines), "the same lines but for ids and durations");
    assert.deepEqual(stable(warm.done), stable(cold.done));
    assert.equal(warm.done.session_id, warm.init.session_id);
    assert.notEqual(warm.init.session_id, cold.init.session_id, "a spare's chat has a session of its own");
    const [coldRequest, warmRequest] = gateway.requestsWith(marker);
    assert.equal(warmRequest.lastUserText, coldRequest.lastUserText);
    assert.equal(warmRequest.headers["x-claude-code-session-id"], warm.init.session_id);

    // The session the spare wrote is an ordinary one: a later chat resumes it (cold, as resumes are).
    const again = newMarker("again");
    gateway.script(again, () => reply.text("Resumed."));
    const resumed = await gateway.chat({
      prompt: `And now? ${again}`,
      cwd,
      session_id: warm.init.session_id,
    });
    gateway.assertSuccess(resumed);
    assert.equal(resumed.init.session_id, warm.init.session_id);
    const history = gateway.requestFor(again).messages.slice(0, -1);
    assert.ok(messageTexts(history.filter((m) => m.role === "user")).includes(body.prompt as string));
    assert.ok(!before.has(loggedPid(gateway, resumed.processId)), "the resumed chat started cold");
  } finally {
    await gateway.close();
  }
  assert.deepEqual(gateway.cliPids(), [], "no CLI, spare or not, outlives the gateway");
});
