import assert from "node:assert/strict";
import { cliLeadersMatching } from "../../testkit/processes.ts";
import { startHaproxy } from "../../testkit/haproxy.ts";
import { canRun } from "../../testkit/run_tool.ts";
import type { SseEvent } from "../../testkit/sse_client.ts";
import { SERVER_AUTH, spawnServer } from "../../testkit/server_process.ts";
import { waitFor, within } from "../../testkit/wait_for.ts";
import { getJson, listed, send, startChat, watch, withCluster } from "./cluster_kit.ts";

/** redis-server and haproxy, from Debian (`.ci/run` installs them); skipped without them outside CI. */
const NEEDS = { ignore: !canRun(["redis-server", "haproxy"]) };

const isMessage = (event: SseEvent) => event.event === "message";

Deno.test(
  "a chat started on one node is listed, watched, reattached, relayed to and cancelled from another, directly and through HAProxy",
  NEEDS,
  async () => {
    await withCluster(["a", "b", "c"], async ({ nodes: { a, b, c }, dir, cli }) => {
      const proxy = await startHaproxy([a.url, b.url, c.url]);
      try {
        const chat = await startChat(a.url, dir, { prompt: "slow 600 0.05" });
        await chat.stream.until((event) => event.id === "3");

        for (const base of [b.url, c.url, proxy.url, proxy.url, proxy.url]) {
          await waitFor(
            async () => (await listed(base)).some(({ id, node }) => id === chat.id && node === "a"),
            `the chat listed on ${base}`,
          );
        }
        const state = await getJson(`${b.url}/chat/${chat.id}`);
        assert.equal(state.status, 200);
        assert.equal(state.body.status, "running");

        // Replay after id 2 on the other node (with the watch token), then live.
        const remote = await watch(b.url, chat.id, 2, chat.token);
        const first = await within(remote.next(), 10_000, "the first replayed event");
        assert.equal(first?.id, "3");
        const seen = await within(remote.until((event) => Number(event.id) >= 8), 10_000, "live events on b");
        await remote.cancel();

        // Reattach through the balancer (either node) after the last id seen: no event twice, none missing.
        const again = await watch(proxy.url, chat.id, Number(seen.id));
        const next = await within(again.next(), 10_000, "the event after the reattach");
        assert.equal(Number(next?.id), Number(seen.id) + 1);

        // Requests for the chat relayed to its node, with its node's own answers.
        const message = await send("POST", `${b.url}/chat/${chat.id}/messages`, { prompt: "more" });
        assert.equal(message.status, 409);
        assert.equal((message.body.error as { code: string }).code, "chat_not_interactive");
        const badPatch = await send("PATCH", `${b.url}/chat/${chat.id}`, { permission_mode: "nonsense" });
        assert.equal(badPatch.status, 422);
        const permissions = await getJson(`${b.url}/chat/${chat.id}/permissions`);
        assert.deepEqual(permissions.body, { process_id: chat.id, permissions: [] });
        const unauthorized = await fetch(`${b.url}/chat/${chat.id}`, { method: "DELETE" });
        assert.equal(unauthorized.status, 401);
        await unauthorized.body?.cancel();

        const cancelled = await send("DELETE", `${b.url}/chat/${chat.id}`);
        assert.deepEqual(cancelled, { status: 200, body: { status: "cancelled", process_id: chat.id } });
        const done = await within(
          again.until((event) => event.event === "done"),
          20_000,
          "done on the reattached stream",
        );
        assert.equal(JSON.parse(done.data).stop_reason, "cancelled");
        const own = await within(
          chat.stream.until((event) => event.event === "done"),
          20_000,
          "done on node a",
        );
        assert.equal(own.data, done.data, "every node sends the same bytes for the same event");
        await waitFor(() => cliLeadersMatching(cli).length === 0, "the CLI to be gone");

        const finished = await getJson(`${b.url}/chat/${chat.id}`);
        assert.equal(finished.body.status, "finished");
        assert.equal((finished.body.done as { stop_reason: string }).stop_reason, "cancelled");
        assert.equal((await send("DELETE", `${b.url}/chat/${chat.id}`)).status, 404);
        assert.equal((await getJson(`${b.url}/chat/00000000-0000-4000-8000-000000000000`)).status, 404);
      } finally {
        await proxy.stop();
      }
    });
  },
);

Deno.test(
  "a node killed mid-chat: watchers on another node get error node_lost and done within 10 s",
  NEEDS,
  async () => {
    await withCluster(["a", "b"], async ({ nodes: { a, b }, dir }) => {
      const chat = await startChat(a.url, dir, { prompt: "hang" });
      await chat.stream.until(isMessage);
      await waitFor(
        async () => (await listed(b.url)).some(({ id }) => id === chat.id),
        "the chat listed on b",
      );
      const remote = await watch(b.url, chat.id, 0);
      await within(remote.until(isMessage), 10_000, "the init line on b");

      a.signal("SIGKILL");
      await a.child.status;
      const events = await within(remote.rest(), 10_000, "the end of the stream on b after node a died");
      const error = events.find((event) => event.event === "error");
      const done = events.at(-1);
      assert.equal(JSON.parse(error?.data ?? "{}").reason, "node_lost");
      assert.equal(done?.event, "done");
      assert.equal(JSON.parse(done.data).stop_reason, "node_lost");
      assert.equal(Number(done.id), Number(error?.id) + 1);

      const state = await getJson(`${b.url}/chat/${chat.id}`);
      assert.equal(state.body.status, "finished");
      await waitFor(async () => (await listed(b.url)).length === 0, "b to list no chat");
      assert.equal((await send("DELETE", `${b.url}/chat/${chat.id}`)).status, 404);
      await chat.stream.cancel();
    });
  },
);

Deno.test(
  "a Redis restart: a running chat streams on to its end, the nodes rejoin, new chats are shared again",
  NEEDS,
  async () => {
    await withCluster(["a", "b"], async ({ redis, nodes: { a, b }, dir }) => {
      const chat = await startChat(a.url, dir, { prompt: "slow 40 0.1" });
      await chat.stream.until(isMessage);

      await redis.restart({ downMs: 1500 });
      await waitFor(async () => {
        const health = await getJson(`${b.url}/health`);
        return (health.body.cluster as { redis: string }).redis === "ok";
      }, "b to reach Redis again");
      const events = await within(chat.stream.rest(), 20_000, "the chat on a to stream to its end");
      assert.equal(events.at(-1)?.event, "done");
      assert.equal(JSON.parse(events.at(-1)!.data).stop_reason, null);

      const later = await startChat(b.url, dir, { prompt: "slow 40 0.05" });
      await waitFor(
        async () => (await listed(a.url)).some(({ id, node }) => id === later.id && node === "b"),
        "the new chat listed on a",
      );
      const remote = await watch(a.url, later.id, 0, later.token);
      const rest = await within(remote.rest(), 20_000, "the new chat watched from a");
      assert.equal(rest.at(-1)?.event, "done");
      await later.stream.rest();
    });
  },
);

Deno.test(
  "while Redis is down a node refuses new chats with 503 cluster_unavailable and says so in /health",
  NEEDS,
  async () => {
    await withCluster(["a"], async ({ redis, nodes: { a }, dir }) => {
      const running = await startChat(a.url, dir, { prompt: "slow 30 0.1" });
      await running.stream.until(isMessage);
      await redis.stop();
      await waitFor(async () => {
        const health = await getJson(`${a.url}/health`);
        return (health.body.cluster as { redis: string }).redis === "unreachable";
      }, "a to notice Redis is gone");
      const refused = await fetch(`${a.url}/chat`, {
        method: "POST",
        headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
        body: JSON.stringify({ cwd: dir, prompt: "hello" }),
      });
      assert.equal(refused.status, 503);
      assert.equal((await refused.json()).error.code, "cluster_unavailable");
      const events = await within(
        running.stream.rest(),
        20_000,
        "the running chat to stream on without Redis",
      );
      assert.equal(events.at(-1)?.event, "done");
      assert.equal(JSON.parse(events.at(-1)!.data).exit_code, 0);
    });
  },
);

Deno.test(
  "one writer per session across nodes: a resume elsewhere is refused while a node's chat writes it",
  NEEDS,
  async () => {
    await withCluster(["a", "b"], async ({ nodes: { a, b }, dir }) => {
      const session = "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11";
      const chat = await startChat(a.url, dir, { prompt: "hang", session_id: session });
      await chat.stream.until(isMessage);
      const refused = await send("POST", `${b.url}/chat`, { prompt: "hello", cwd: dir, session_id: session });
      assert.equal(refused.status, 409);
      assert.equal((refused.body.error as { code: string }).code, "session_busy");
      assert.match((refused.body.error as { message: string }).message, /on node "a"/);

      assert.equal((await send("DELETE", `${b.url}/chat/${chat.id}`)).status, 200);
      await within(chat.stream.until((event) => event.event === "done"), 20_000, "the first chat to end");
      const resumed = await within(
        (async () => {
          for (;;) {
            const response = await fetch(`${b.url}/chat`, {
              method: "POST",
              headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
              body: JSON.stringify({ prompt: "hello", cwd: dir, session_id: session }),
            });
            if (response.status === 200) return response;
            await response.body?.cancel();
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
        })(),
        10_000,
        "the session to be free for node b",
      );
      assert.equal((await resumed.text()).includes("event: done"), true);
    });
  },
);

Deno.test(
  "failed logins count on every node: an address refused on one is throttled on the others",
  NEEDS,
  async () => {
    await withCluster(["a", "b"], async ({ nodes: { a, b } }) => {
      const wrong = { Authorization: `Basic ${btoa("admin:wrong")}` };
      for (let i = 0; i < 2; i++) {
        const response = await fetch(`${a.url}/processes`, { headers: wrong });
        assert.equal(response.status, 401);
        await response.body?.cancel();
      }
      await waitFor(async () => {
        const response = await fetch(`${b.url}/processes`, { headers: SERVER_AUTH });
        await response.body?.cancel();
        return response.status === 429;
      }, "node b to refuse the address");
    }, { AUTH_MAX_FAILURES: "2" });
  },
);

Deno.test(
  "a node restarted under its id at once ends what its killed run left, for watchers elsewhere",
  NEEDS,
  async () => {
    await withCluster(["a", "b"], async ({ nodes, redis, cli, dir }) => {
      const chat = await startChat(nodes.a.url, dir, { prompt: "hang" });
      await chat.stream.until(isMessage);
      await waitFor(
        async () => (await listed(nodes.b.url)).some(({ id }) => id === chat.id),
        "the chat listed on b",
      );
      const remote = await watch(nodes.b.url, chat.id, 0);
      await within(remote.until(isMessage), 10_000, "the init line on b");
      nodes.a.signal("SIGKILL");
      await nodes.a.child.status;
      // Far within NODE_TTL_S (60 s here): only the new run can end the chat.
      nodes.a = await spawnServer(
        { CLAUDE_PATH: cli, REDIS_URL: redis.url, NODE_ID: "a", NODE_TTL_S: "60" },
        { waitHealthy: true },
      );
      const events = await within(remote.rest(), 10_000, "the end of the stream on b after a restarted");
      assert.equal(events.at(-1)?.event, "done");
      assert.equal(JSON.parse(events.at(-1)!.data).stop_reason, "node_lost");
      assert.match(JSON.parse(events.find((event) => event.event === "error")!.data).message, /restarted/);
      await chat.stream.cancel();
    }, { NODE_TTL_S: "60" });
  },
);
