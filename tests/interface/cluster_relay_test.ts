import assert from "node:assert/strict";
import type { Cluster, ClusterChat, ClusterEventSource } from "../../application/cluster.ts";
import type { LogRead } from "../../application/event_log.ts";
import { answerRelayed } from "../../interface/cluster_relay.ts";
import { AUTH, buildTestApp, chatRequest } from "../support/test_app.ts";

const REMOTE_ID = "22222222-2222-4222-8222-222222222222";
const bytes = (text: string) => new TextEncoder().encode(text);

/** A cluster where chat {@link REMOTE_ID} runs on node "b" (or is as `chat` says); it records what is asked. */
function fakeCluster(chat: Partial<ClusterChat> | null = {}, reads: LogRead[] = []) {
  const asked: { node: string; message: string }[] = [];
  const failuresShared: string[] = [];
  let otherNodeFails: (address: string) => void = () => {};
  const watches: { processId: string; afterId: number }[] = [];
  let answer = JSON.stringify({
    status: 200,
    headers: [["content-type", "application/json"]],
    body: btoa("{}"),
  });
  const cluster: Cluster = {
    nodeId: "a",
    reachable: () => true,
    chat: (processId) =>
      Promise.resolve(
        chat === null || processId !== REMOTE_ID ? null : {
          processId,
          node: "b",
          nodeAlive: true,
          watchToken: "remote-token",
          startedAt: "2026-01-01T00:00:00.000Z",
          sessionId: null,
          done: null,
          lastEventId: 5,
          ...chat,
        },
      ),
    watch(processId, afterId): ClusterEventSource {
      watches.push({ processId, afterId });
      const queue = [...reads];
      return { next: () => Promise.resolve(queue.shift() ?? null), close: () => {} };
    },
    processes: () => Promise.resolve([]),
    claimSession: () => Promise.resolve("a"),
    releaseSession: () => Promise.resolve(),
    sessionNode: () => Promise.resolve(null),
    shareLoginFailures(onOther) {
      otherNodeFails = onOther;
      return (address) => failuresShared.push(address);
    },
    ask(node, message) {
      asked.push({ node, message });
      return Promise.resolve(answer);
    },
  };
  return {
    cluster,
    asked,
    watches,
    failuresShared,
    otherNodeFails: (address: string) => otherNodeFails(address),
    answerWith: (text: string) => answer = text,
  };
}

Deno.test("a request for another node's chat is relayed to it as it came, and its answer is relayed back", async () => {
  const fake = fakeCluster();
  fake.answerWith(JSON.stringify({
    status: 409,
    headers: [["content-type", "application/json"], ["x-extra", "1"]],
    body: btoa('{"error":{"code":"chat_not_interactive","message":"no"}}'),
  }));
  const { app } = buildTestApp({ app: { cluster: fake.cluster } });
  const response = await app.request(`/chat/${REMOTE_ID}/messages?x=1`, chatRequest({ prompt: "more" }));
  assert.equal(response.status, 409);
  assert.equal(response.headers.get("x-extra"), "1");
  assert.equal((await response.json()).error.code, "chat_not_interactive");
  assert.equal(fake.asked.length, 1);
  assert.equal(fake.asked[0].node, "b");
  const relayed = JSON.parse(fake.asked[0].message);
  assert.equal(relayed.method, "POST");
  assert.equal(relayed.path, `/chat/${REMOTE_ID}/messages?x=1`);
  assert.equal(atob(relayed.body), JSON.stringify({ prompt: "more" }));
  assert.ok(relayed.headers.some(([name]: string[]) => name === "authorization"));
});

Deno.test("the node that runs a chat answers a relayed request with its own app", async () => {
  const test = buildTestApp();
  const started = test.app.request("/chat", chatRequest({ prompt: "x", cwd: "/tmp" }));
  await test.runner.nextRun();
  const response = await started;
  const id = response.headers.get("X-Process-ID")!;
  const answer = answerRelayed((request, env) => test.app.fetch(request, env));
  const reply = JSON.parse(
    await answer(JSON.stringify({
      method: "DELETE",
      path: `/chat/${id}`,
      headers: Object.entries(AUTH),
      body: null,
      address: "192.0.2.1",
    })),
  );
  assert.equal(reply.status, 200);
  assert.deepEqual(JSON.parse(atob(reply.body)), { status: "cancelled", process_id: id });
  test.runner.runs.at(-1)!.end();
  await response.text();
});

Deno.test("a chat this node runs is served here, never relayed", async () => {
  const fake = fakeCluster();
  const test = buildTestApp({ app: { cluster: fake.cluster } });
  const started = test.app.request("/chat", chatRequest({ prompt: "x", cwd: "/tmp" }));
  const run = await test.runner.nextRun();
  const response = await started;
  const id = response.headers.get("X-Process-ID")!;
  const state = await test.app.request(`/chat/${id}`, { headers: AUTH });
  assert.equal(state.status, 200);
  assert.equal(fake.asked.length, 0);
  run.end();
  await response.text();
});

Deno.test("an id no node has is a 404 as on a single gateway", async () => {
  const fake = fakeCluster(null);
  const { app } = buildTestApp({ app: { cluster: fake.cluster } });
  const response = await app.request(`/chat/${REMOTE_ID}`, { method: "DELETE", headers: AUTH });
  assert.equal(response.status, 404);
  assert.equal((await response.json()).error.code, "process_not_found");
});

Deno.test("another node's chat is watched from the cluster after Last-Event-ID, with its watch token", async () => {
  const fake = fakeCluster({}, [{
    gapFrom: null,
    chunks: [bytes("id: 4\nevent: message\ndata: {}\n\n")],
    lastId: 4,
  }]);
  const { app } = buildTestApp({ app: { cluster: fake.cluster } });
  const response = await app.request(`/chat/${REMOTE_ID}/events?token=remote-token`, {
    headers: { "Last-Event-ID": "3" },
  });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("X-Process-ID"), REMOTE_ID);
  assert.equal(await response.text(), "id: 4\nevent: message\ndata: {}\n\n");
  assert.deepEqual(fake.watches, [{ processId: REMOTE_ID, afterId: 3 }]);
});

Deno.test("watching another node's chat: a wrong token is a 401, an id past its newest event a 422", async () => {
  const fake = fakeCluster();
  const { app } = buildTestApp({ app: { cluster: fake.cluster } });
  const wrong = await app.request(`/chat/${REMOTE_ID}/events?token=nope`);
  assert.equal(wrong.status, 401);
  assert.equal((await wrong.json()).error.code, "invalid_token");
  const beyond = await app.request(`/chat/${REMOTE_ID}/events`, {
    headers: { ...AUTH, "Last-Event-ID": "6" },
  });
  assert.equal(beyond.status, 422);
  assert.match((await beyond.json()).error.message, /beyond the chat's newest event \(5\)/);
  const anonymous = await app.request(`/chat/${REMOTE_ID}/events`);
  assert.equal(anonymous.status, 401);
  await anonymous.body?.cancel();
  assert.equal(fake.watches.length, 0);
});

Deno.test("a chat whose node is gone is answered from the cluster's record: its state, not its controls", async () => {
  const done = {
    process_id: REMOTE_ID,
    exit_code: null,
    signal: null,
    cancelled: false,
    stop_reason: "node_lost" as const,
    session_id: null,
    duration_ms: 10,
  };
  const fake = fakeCluster({ nodeAlive: false, done });
  const { app } = buildTestApp({ app: { cluster: fake.cluster } });
  const state = await app.request(`/chat/${REMOTE_ID}`, { headers: AUTH });
  assert.equal(state.status, 200);
  assert.deepEqual(await state.json(), {
    process_id: REMOTE_ID,
    status: "finished",
    session_id: null,
    started_at: "2026-01-01T00:00:00Z",
    last_event_id: 5,
    watchers: 0,
    done,
  });
  const interrupt = await app.request(`/chat/${REMOTE_ID}/interrupt`, { method: "POST", headers: AUTH });
  assert.equal(interrupt.status, 404);
  await interrupt.body?.cancel();
  assert.equal(fake.asked.length, 0);
});

Deno.test("a relayed body over MAX_BODY_BYTES is refused with 413 before it is relayed", async () => {
  const fake = fakeCluster();
  const { app } = buildTestApp({ app: { cluster: fake.cluster, maxBodyBytes: 1024 } });
  const response = await app.request(
    `/chat/${REMOTE_ID}/messages`,
    chatRequest({ prompt: "x".repeat(2000) }),
  );
  assert.equal(response.status, 413);
  await response.body?.cancel();
  assert.equal(fake.asked.length, 0);
});

Deno.test("a node shares its failed logins and counts the other nodes' ones against the same address", async () => {
  const fake = fakeCluster();
  const { app } = buildTestApp({ app: { cluster: fake.cluster } });
  const wrong = { Authorization: `Basic ${btoa("admin:wrong")}` };
  const env = { remoteAddr: { hostname: "198.51.100.7" } };
  const refused = await app.request("/processes", { headers: wrong }, env);
  assert.equal(refused.status, 401);
  await refused.body?.cancel();
  assert.deepEqual(fake.failuresShared, ["198.51.100.7"]);
  // The test app allows 3 failures: two more, seen by other nodes, and this node refuses the address too.
  fake.otherNodeFails("198.51.100.7");
  fake.otherNodeFails("198.51.100.7");
  const throttled = await app.request("/processes", { headers: AUTH }, env);
  assert.equal(throttled.status, 429);
  await throttled.body?.cancel();
  const elsewhere = await app.request("/processes", { headers: AUTH }, {
    remoteAddr: { hostname: "198.51.100.8" },
  });
  assert.equal(elsewhere.status, 200);
  await elsewhere.body?.cancel();
});

Deno.test("a node labels its /metrics with its id", async () => {
  const { app } = buildTestApp({ app: { cluster: fakeCluster().cluster } });
  const text = await (await app.request("/metrics", { headers: AUTH })).text();
  assert.match(text, /^claudecode2api_chats_running\{node="a"\} 0$/m);
});
