/**
 * Reattaching to a chat of the REAL `claude` CLI: the client loses its connection in the middle of a slow
 * answer, comes back with `Last-Event-ID`, and ends with every line exactly once, in order; the chat ran on
 * meanwhile (its detach grace) and finished on its own.
 *
 * Run: `CLAUDE_PATH=… deno test --allow-all tests/e2e/reattach_e2e_test.ts`
 */

import assert from "node:assert/strict";
import { SERVER_AUTH } from "../../testkit/server_process.ts";
import { readBlocks, type SseBlock, SseBlockReader } from "../../testkit/sse_blocks.ts";
import { reply } from "./fake_messages_api.ts";
import { Gateway, newMarker, sleep, within } from "./gateway_harness.ts";

/** The text the model streamed, from the CLI's partial-message lines. */
function streamedText(blocks: SseBlock[]): string {
  return blocks.filter((block) => block.event === "message").map((block) => JSON.parse(block.data))
    .filter((line) => line.type === "stream_event" && line.event?.delta?.type === "text_delta")
    .map((line) => line.event.delta.text).join("");
}

Deno.test("a client that loses a real CLI's slow answer midway reattaches and has every line once", async () => {
  const gateway = await Gateway.start();
  try {
    const cwd = await gateway.newCwd("reattach");
    const marker = newMarker("reattach");
    const parts = Array.from({ length: 24 }, (_, i) => `part-${String(i).padStart(2, "0")} `);
    gateway.script(marker, () => reply.slowText(parts.join(""), parts.length, 100));
    const abort = new AbortController();
    const response = await gateway.post(
      { prompt: `Tell it slowly ${marker}`, cwd, include_partial_messages: true, detach_grace_s: 60 },
      { signal: abort.signal },
    );
    assert.equal(response.status, 200);
    const id = response.headers.get("X-Process-ID")!;
    const first = await within(
      readBlocks(new SseBlockReader(response.body!), (block) => block.data.includes("part-03")),
      30_000,
      "the answer to begin",
    );
    abort.abort();
    await sleep(700);
    const attached = await fetch(`${gateway.url}/chat/${id}/events`, {
      headers: { ...SERVER_AUTH, "Last-Event-ID": String(first.at(-1)!.id) },
    });
    assert.equal(attached.status, 200);
    const rest = await within(readBlocks(new SseBlockReader(attached.body!), () => false), 30_000, "the end");

    const all = [...first, ...rest];
    assert.deepEqual(
      all.map((block) => block.id),
      all.map((_, index) => index + 1),
      "every id once, in order",
    );
    assert.equal(streamedText(all), parts.join(""));
    const done = JSON.parse(all.at(-1)!.data);
    assert.equal(all.at(-1)!.event, "done");
    assert.equal(done.exit_code, 0);
    assert.equal(done.cancelled, false);
    const replay = await fetch(`${gateway.url}/chat/${id}/events`, { headers: SERVER_AUTH });
    const fromStart = await readBlocks(new SseBlockReader(replay.body!), () => false);
    assert.deepEqual(
      fromStart.map((block) => block.raw),
      all.map((block) => block.raw),
      "same bytes on replay",
    );
    await gateway.waitNoCli();
  } finally {
    await gateway.close();
  }
});
