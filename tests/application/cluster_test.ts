import assert from "node:assert/strict";
import { ChatFeed, type FeedSource } from "../../application/chat_feed.ts";
import type { FeedObserver } from "../../application/chat_mirror.ts";
import { requireCluster } from "../../application/cluster.ts";
import type { StartWatchedChat } from "../../application/start_watched_chat.ts";
import type { ChatDoneData, ChatEvent } from "../../domain/chat_event.ts";
import { ClusterUnavailableError, ConflictError, SessionBusyError } from "../../domain/errors.ts";
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

/** A cluster where every session lock is free and no session has a home yet; it records the claims. */
function sessionsNobodyHolds(over: Partial<Parameters<typeof requireCluster>[0]> = {}) {
  const claims: string[] = [];
  const releases: string[] = [];
  return {
    nodeId: "a",
    reachable: () => true,
    claimSession: (id: string) => (claims.push(id), Promise.resolve("a")),
    releaseSession: (id: string) => (releases.push(id), Promise.resolve()),
    sessionNode: () => Promise.resolve(null),
    claims,
    releases,
    ...over,
  };
}

Deno.test("requireCluster() refuses a new chat with ClusterUnavailableError while the store is unreachable", async () => {
  let reachable = false;
  let started = 0;
  const start: StartWatchedChat = () => {
    started++;
    return Promise.reject(new Error("started"));
  };
  const guarded = requireCluster(sessionsNobodyHolds({ reachable: () => reachable }), start);
  await assert.rejects(guarded({ prompt: "x", cwd: "/tmp" }), ClusterUnavailableError);
  assert.equal(started, 0);
  reachable = true;
  await assert.rejects(guarded({ prompt: "x", cwd: "/tmp" }), /started/);
  assert.equal(started, 1);
});

const SESSION = "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11";

Deno.test("requireCluster() takes a resumed session's writer lock, and refuses a session another node writes", async () => {
  const free = sessionsNobodyHolds();
  const started: string[] = [];
  const start: StartWatchedChat = (request) => {
    started.push(request.session_id ?? "new");
    return Promise.reject(new Error("stop here"));
  };
  await assert.rejects(
    requireCluster(free, start)({ prompt: "x", cwd: "/tmp", session_id: SESSION }),
    /stop here/,
  );
  assert.deepEqual(free.claims, [SESSION]);
  assert.deepEqual(free.releases, [SESSION], "a chat that failed to start lets the lock go");
  await assert.rejects(requireCluster(free, start)({ prompt: "x", cwd: "/tmp" }), /stop here/);
  assert.deepEqual(free.claims, [SESSION], "a new session needs no lock before it exists");

  const held = sessionsNobodyHolds({ claimSession: () => Promise.resolve("b") });
  await assert.rejects(
    requireCluster(held, start)({ prompt: "x", cwd: "/tmp", session_id: SESSION }),
    (error: Error) => error instanceof SessionBusyError && /on node "b"/.test(error.message),
  );
  assert.deepEqual(started, [SESSION, "new"]);
});

Deno.test("requireCluster() with node-local sessions sends a resume to the node that has the session", async () => {
  const elsewhere = sessionsNobodyHolds({ sessionNode: () => Promise.resolve("b") });
  const start: StartWatchedChat = () => Promise.reject(new Error("started"));
  const request = { prompt: "x", cwd: "/tmp", session_id: SESSION };
  await assert.rejects(
    requireCluster(elsewhere, start, "local")(request),
    (error: Error) =>
      error instanceof ConflictError && error.code === "session_on_other_node" &&
      /node "b"/.test(error.message),
  );
  await assert.rejects(requireCluster(elsewhere, start, "shared")(request), /started/);
  await assert.rejects(
    requireCluster(elsewhere, start, "local")({ ...request, fork_session: true }),
    /started/,
  );
});
