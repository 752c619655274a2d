import assert from "node:assert/strict";
import { Redis } from "ioredis";
import { EventLog } from "../../application/event_log.ts";
import type { ChatEvent } from "../../domain/chat_event.ts";
import { RedisChatMirror } from "../../infrastructure/redis/redis_chat_mirror.ts";
import { RedisChatWatcher } from "../../infrastructure/redis/redis_chat_watcher.ts";
import { encodeBatch } from "../../interface/sse_frame.ts";
import { startRedis } from "../../testkit/redis_server.ts";
import { canRun } from "../../testkit/run_tool.ts";
import { parseSse } from "../../testkit/sse_client.ts";
import { within } from "../../testkit/wait_for.ts";

const NEEDS = { ignore: !canRun(["redis-server"]) };
const encoder = new TextEncoder();
const message = (text: string): ChatEvent => ({
  type: "message",
  line: encoder.encode(JSON.stringify({ text })),
});
const DONE: ChatEvent = {
  type: "done",
  data: {
    process_id: "p1",
    exit_code: 0,
    signal: null,
    cancelled: false,
    stop_reason: null,
    session_id: null,
    duration_ms: 3,
  },
};

/** A Redis, a mirror of one chat `p1` with a log of `replayBytes`, and a way to read it like a remote node. */
async function withMirror(
  replayBytes: number,
  body: (
    chat: { append(events: ChatEvent[]): void; end(): void; read(after: number): Promise<string> },
  ) => Promise<void>,
) {
  const server = await startRedis();
  const redis = new Redis(server.url, { lazyConnect: false });
  try {
    const mirror = new RedisChatMirror({
      redis,
      nodeId: "a",
      retainFinishedMs: 60_000,
      lockTtlMs: 15_000,
      changed: () => {},
    });
    const log = new EventLog(replayBytes, encodeBatch);
    const observer = mirror.open({
      chat: { id: "p1", startedAt: new Date(), sessionId: null },
      watchToken: "t",
      log,
    });
    await body({
      append(events) {
        const firstId = log.lastId + 1;
        log.append(events);
        observer.appended(events, firstId);
      },
      end() {
        log.close();
        observer.ended(null);
      },
      async read(after) {
        const watcher = new RedisChatWatcher(redis.duplicate(), "p1", after);
        let text = "";
        try {
          for (let read = await watcher.next(); read; read = await watcher.next()) {
            if (read.gapFrom !== null) text += `gap ${read.gapFrom}\n\n`;
            text += new TextDecoder().decode(Uint8Array.from(read.chunks.flatMap((chunk) => [...chunk])));
          }
        } finally {
          watcher.close();
        }
        return text;
      },
    });
  } finally {
    redis.disconnect();
    await server.stop();
  }
}

Deno.test(
  "a chat mirrored to Redis reads back from any event id, inside a batch too, to its done",
  NEEDS,
  async () => {
    await withMirror(1 << 20, async (chat) => {
      chat.append([message("a"), message("b"), message("c")]);
      chat.append([message("d")]);
      chat.append([message("e"), DONE]);
      chat.end();
      const all = parseSse(await within(chat.read(0), 10_000, "the whole chat"));
      assert.deepEqual(all.map((event) => event.id), ["1", "2", "3", "4", "5", "6"]);
      assert.equal(all.at(-1)?.event, "done");
      const tail = parseSse(await within(chat.read(2), 10_000, "the chat after event 2"));
      assert.deepEqual(tail.map((event) => event.id), ["3", "4", "5", "6"]);
      assert.equal(tail[0].data, JSON.stringify({ text: "c" }));
      assert.deepEqual(parseSse(await chat.read(5)).map((event) => event.id), ["6"]);
    });
  },
);

Deno.test(
  "the Redis stream keeps about what the log keeps: a late reader learns of a gap",
  NEEDS,
  async () => {
    await withMirror(64 * 1024, async (chat) => {
      const big = "x".repeat(1000);
      for (let batch = 0; batch < 300; batch++) chat.append([message(`${batch} ${big}`)]);
      chat.append([DONE]);
      chat.end();
      const text = await within(chat.read(0), 10_000, "the retained part");
      const gap = /^gap (\d+)$/m.exec(text);
      assert.ok(gap, "a gap before the retained events");
      const ids = parseSse(text.slice(text.indexOf("\n\n") + 2)).map((event) => Number(event.id));
      assert.equal(ids[0], Number(gap[1]));
      assert.equal(ids.at(-1), 301);
      assert.ok(ids.length < 300, `${ids.length} of 301 events kept`);
    });
  },
);
