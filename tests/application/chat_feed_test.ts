import assert from "node:assert/strict";
import { ChatFeed, type FeedSource, type FeedWatcher } from "../../application/chat_feed.ts";
import type { ChatDoneData, ChatEvent } from "../../domain/chat_event.ts";
import type { StopReason } from "../../domain/managed_process.ts";
import { FakeClock } from "../support/fake_clock.ts";
import { decodeLines, lineEncoding } from "../support/line_encoding.ts";

const encoder = new TextEncoder();

type Script = string[] | { done: StopReason | null } | null;

/** A chat whose output the test hands out batch by batch; counts how often it was read. */
class ScriptedChat implements FeedSource {
  reads = 0;
  stops: StopReason[] = [];
  #pending: PromiseWithResolvers<ChatEvent[] | null> | null = null;
  #ready: Script[] = [];
  #scratch = new Uint8Array(256);

  /** Queues one batch of lines. */
  print(...lines: string[]): void {
    this.#deliver(lines);
  }

  end(stopReason: StopReason | null = null): void {
    this.#deliver({ done: stopReason });
    this.#deliver(null);
  }

  next(): Promise<ChatEvent[] | null> {
    this.reads++;
    const ready = this.#ready.shift();
    if (ready !== undefined) return Promise.resolve(this.#events(ready));
    this.#pending = Promise.withResolvers();
    return this.#pending.promise;
  }

  stop(reason: StopReason): void {
    this.stops.push(reason);
    this.end(reason);
  }

  #deliver(script: Script): void {
    const pending = this.#pending;
    this.#pending = null;
    if (pending) pending.resolve(this.#events(script));
    else this.#ready.push(script);
  }

  /** Every read reuses one buffer for its lines, as a real run's reads do. */
  #events(script: Script): ChatEvent[] | null {
    if (script === null) return null;
    if (!Array.isArray(script)) return [{ type: "done", data: done(script.done) }];
    this.#scratch.fill(0);
    let offset = 0;
    return script.map((text) => {
      const bytes = encoder.encode(text);
      this.#scratch.set(bytes, offset);
      offset += bytes.length;
      return { type: "message", line: this.#scratch.subarray(offset - bytes.length, offset) };
    });
  }
}

function done(stopReason: StopReason | null): ChatDoneData {
  return {
    process_id: "p1",
    exit_code: 0,
    signal: null,
    cancelled: stopReason !== null,
    stop_reason: stopReason,
    session_id: null,
    duration_ms: 5,
  };
}

async function readAll(watcher: FeedWatcher): Promise<string[]> {
  const seen: string[] = [];
  for (;;) {
    const read = await watcher.next();
    if (read === null) return seen;
    if (read.gapFrom !== null) seen.push(`gap:${read.gapFrom}`);
    seen.push(...decodeLines(read.chunks));
  }
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function feedOf(chat: ScriptedChat, options: { replayBytes?: number; detachGraceMs?: number } = {}) {
  const clock = new FakeClock();
  const feed = new ChatFeed(chat, {
    replayBytes: options.replayBytes ?? 1 << 20,
    detachGraceMs: options.detachGraceMs ?? 0,
    clock,
    encode: lineEncoding,
  });
  return { feed, clock };
}

Deno.test("ChatFeed gives every watcher the same numbered events, whenever it attaches", async () => {
  const chat = new ScriptedChat();
  const { feed } = feedOf(chat);
  const first = feed.watch();
  const firstSeen = readAll(first);
  chat.print("a", "b");
  await tick();
  const late = feed.watch();
  const lateSeen = readAll(late);
  chat.print("c");
  chat.end();
  const expected = ["1:a", "2:b", "3:c", "4:done"];
  assert.deepEqual(await firstSeen, expected);
  assert.deepEqual(await lateSeen, expected);
  assert.deepEqual(await readAll(feed.watch(2)), ["3:c", "4:done"]);
  assert.equal(feed.done?.exit_code, 0);
  await feed.finished;
});

Deno.test("ChatFeed keeps lines intact although the chat reuses their bytes", async () => {
  const chat = new ScriptedChat();
  const { feed } = feedOf(chat);
  chat.print("first line");
  chat.print("second");
  chat.end();
  await feed.finished;
  assert.deepEqual(await readAll(feed.watch()), ["1:first line", "2:second", "3:done"]);
});

Deno.test("ChatFeed reads the chat only as fast as its one watcher takes events", async () => {
  const chat = new ScriptedChat();
  const { feed } = feedOf(chat);
  const watcher = feed.watch();
  for (let i = 0; i < 5; i++) chat.print(`line ${i}`);
  await tick();
  assert.equal(chat.reads, 0, "nothing is read ahead of the watcher");
  await watcher.next();
  await tick();
  await watcher.next();
  await tick();
  assert.equal(chat.reads, 2, "one read per batch the watcher takes");
});

Deno.test("ChatFeed tells a watcher too slow for the retained bytes where it continues", async () => {
  const chat = new ScriptedChat();
  // Each single-line batch ("3:l3..\n") is counted as 7 + 8 + 256 bytes: three are kept.
  const { feed } = feedOf(chat, { replayBytes: 3 * (7 + 8 + 256) });
  const fast = feed.watch();
  const slow = feed.watch();
  const fastSeen = readAll(fast);
  for (let i = 1; i <= 6; i++) {
    chat.print(`l${i}..`);
    await tick();
  }
  chat.end();
  assert.equal((await fastSeen).length, 7);
  const slowSeen = await readAll(slow);
  assert.equal(slowSeen[0], `gap:${feed.log.firstId}`);
  assert.deepEqual(slowSeen.slice(-1), ["7:done"]);
});

Deno.test("ChatFeed stops the chat as soon as its last watcher leaves when there is no grace", async () => {
  const chat = new ScriptedChat();
  const { feed } = feedOf(chat);
  const watcher = feed.watch();
  chat.print("a");
  await watcher.next();
  watcher.close();
  assert.deepEqual(chat.stops, ["disconnected"]);
  await feed.finished;
  assert.equal(feed.done?.stop_reason, "disconnected");
  assert.deepEqual(await readAll(feed.watch()), ["1:a", "2:done"]);
});

Deno.test("ChatFeed keeps a detached chat running through its grace, and reads it meanwhile", async () => {
  const chat = new ScriptedChat();
  const { feed, clock } = feedOf(chat, { detachGraceMs: 10_000 });
  feed.watch().close();
  chat.print("while nobody watches");
  await tick();
  clock.advance(9_999);
  assert.deepEqual(chat.stops, []);
  assert.equal(feed.log.lastId, 1, "a detached chat is read, so its CLI never blocks on a full pipe");
  const back = feed.watch(1);
  clock.advance(10_000);
  assert.deepEqual(chat.stops, [], "attaching within the grace keeps it running");
  chat.end();
  assert.deepEqual(await readAll(back), ["2:done"]);
});

Deno.test("ChatFeed stops a detached chat once its grace runs out", async () => {
  const chat = new ScriptedChat();
  const { feed, clock } = feedOf(chat, { detachGraceMs: 10_000 });
  feed.watch().close();
  clock.advance(10_000);
  assert.deepEqual(chat.stops, ["disconnected"]);
  await feed.finished;
  assert.equal(clock.pending, 0);
});
