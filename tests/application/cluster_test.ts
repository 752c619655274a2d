import assert from "node:assert/strict";
import { ChatFeed, type FeedSource } from "../../application/chat_feed.ts";
import type { FeedObserver } from "../../application/chat_mirror.ts";
import { requireCluster } from "../../application/cluster.ts";
import type { StartWatchedChat } from "../../application/start_watched_chat.ts";
import type { ChatDoneData, ChatEvent } from "../../domain/chat_event.ts";
import { ClusterUnavailableError } from "../../domain/errors.ts";
import { FakeClock } from "../support/fake_clock.ts";
import { decodeLines, lineEncoding } from "../support/line_encoding.ts";

const DONE: ChatDoneData = {
  process_id: "p",
  exit_code: 0,
  signal: null,
  cancelled: false,
  stop_reason: null,
  session_id: null,
  duration_ms: 1,
};

/** A chat that prints the given batches, then ends. */
function printing(batches: ChatEvent[][]): FeedSource {
  return { next: () => Promise.resolve(batches.shift() ?? null), stop: () => {} };
}

const line = (text: string): ChatEvent => ({ type: "message", line: new TextEncoder().encode(text) });

Deno.test("a feed's observer is told each batch with its first id, the log holding it already, then the end", async () => {
  const source = printing([[line("a"), line("b")], [line("c")], [{ type: "done", data: DONE }]]);
  const feed = new ChatFeed(source, {
    replayBytes: 1 << 20,
    detachGraceMs: 0,
    clock: new FakeClock(),
    encode: lineEncoding,
  });
  const seen: string[] = [];
  const observer: FeedObserver = {
    appended(events, firstId) {
      const read = feed.log.read(firstId - 1, events.length);
      seen.push(
        `${firstId}:${events.map((event) => event.type).join(",")}:${decodeLines(read.chunks).join("|")}`,
      );
    },
    ended(done) {
      seen.push(`end:${done?.exit_code}`);
    },
  };
  feed.observe(observer);
  const watcher = feed.watch();
  while (await watcher.next()) { /* read to the end */ }
  assert.equal(seen.length, 4);
  assert.match(seen[0], /^1:message,message:/);
  assert.match(seen[1], /^3:message:/);
  assert.match(seen[2], /^4:done:/);
  assert.equal(seen[3], "end:0");
});

Deno.test("requireCluster() refuses a new chat with ClusterUnavailableError while the store is unreachable", async () => {
  let reachable = false;
  let started = 0;
  const start: StartWatchedChat = () => {
    started++;
    return Promise.reject(new Error("started"));
  };
  const guarded = requireCluster({ reachable: () => reachable }, start);
  await assert.rejects(guarded({ prompt: "x", cwd: "/tmp" }), ClusterUnavailableError);
  assert.equal(started, 0);
  reachable = true;
  await assert.rejects(guarded({ prompt: "x", cwd: "/tmp" }), /started/);
  assert.equal(started, 1);
});
