import assert from "node:assert/strict";
import { FAKE_CLI } from "../../testkit/processes.ts";
import { fdCount } from "../../testkit/proc_stats.ts";
import { SERVER_AUTH, type ServerProcess, spawnServer } from "../../testkit/server_process.ts";
import { closeAll, closedByServer, endFlood, healthStatus, openIdle } from "../../testkit/tcp_flood.ts";
import { waitFor, within } from "../../testkit/wait_for.ts";

/** What a test gets: the server, its chats' directory, and a client that keeps no connection open. */
interface Gated {
  server: ServerProcess;
  cwd: string;
  client: Deno.HttpClient;
  port: number;
}

async function withServer(env: Record<string, string>, fn: (gated: Gated) => Promise<void>) {
  const cwd = await Deno.makeTempDir({ prefix: "claudecode2api-gate-" });
  const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI, ...env }, {
    cwd,
    fdLimit: 256,
    waitHealthy: true,
  });
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
  try {
    await fn({ server, cwd, client, port: Number(new URL(server.url).port) });
  } finally {
    client.close();
    const status = await server.stop();
    await Deno.remove(cwd, { recursive: true });
    assert.equal(status.code, 0, server.output());
  }
}

function startChat({ server, cwd, client }: Gated, prompt: string, signal?: AbortSignal): Promise<Response> {
  return fetch(`${server.url}/chat`, {
    client,
    method: "POST",
    headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
    body: JSON.stringify({ prompt, cwd }),
    signal,
  });
}

Deno.test({
  name:
    "with MAX_CONNECTIONS a flood past the fd limit is turned away, a running chat goes on, nothing leaks",
  sanitizeResources: false,
  fn: () =>
    withServer({ MAX_CONNECTIONS: "40", HEADER_TIMEOUT_S: "60" }, async (gated) => {
      const { server, client, port } = gated;
      const conns: Deno.TcpConn[] = [];
      try {
        const baselineFds = fdCount(server.child.pid);
        const chat = await startChat(gated, "slow 20 0.1");
        assert.equal(chat.status, 200);
        const transcript = chat.text();
        conns.push(...await openIdle(port, 400));
        // 39 idle connections fill the gate with the chat's; the others were closed at once.
        const excess = Promise.all(conns.slice(39).map(closedByServer));
        assert.ok((await within(excess, 10_000, "the excess closed")).every(Boolean));
        assert.equal(
          await healthStatus(server.url, client),
          0,
          "a connection beyond MAX_CONNECTIONS is closed",
        );
        assert.doesNotMatch(server.output(), /cannot accept connections/);
        await endFlood(server, conns, { client, baselineFds });
        const text = await within(transcript, 30_000, "the chat to finish");
        assert.match(text, /event: done\ndata: \{[^\n]*"exit_code":0/);
      } finally {
        closeAll(conns);
      }
    }),
});

Deno.test({
  name: "with HEADER_TIMEOUT_S a connection that does not finish its headers in time is closed",
  sanitizeResources: false,
  fn: () =>
    withServer({ HEADER_TIMEOUT_S: "1" }, async ({ server, port }) => {
      const conns = await openIdle(port, 2);
      try {
        const [silent, partial] = conns;
        await partial.write(new TextEncoder().encode("GET /health HTTP/1.1\r\nHost: x\r\n"));
        const closed = Promise.all([closedByServer(silent), closedByServer(partial)]);
        assert.deepEqual(await within(closed, 10_000, "slow connections closed"), [true, true]);
        // A client that sends its request at once is served, and may keep its connection for more.
        const client = Deno.createHttpClient({});
        try {
          for (let i = 0; i < 2; i++) {
            const response = await fetch(`${server.url}/processes`, { client, headers: SERVER_AUTH });
            assert.equal(response.status, 200);
            await response.body?.cancel();
          }
        } finally {
          client.close();
        }
      } finally {
        closeAll(conns);
      }
    }),
});

Deno.test({
  name: "behind the gate a client that goes away still stops its chat",
  sanitizeResources: false,
  fn: () =>
    withServer({ MAX_CONNECTIONS: "40" }, async (gated) => {
      const abort = new AbortController();
      const chat = await startChat(gated, "slow 600 0.1", abort.signal);
      assert.equal(chat.status, 200);
      const reader = chat.body!.getReader();
      await reader.read();
      abort.abort();
      await reader.cancel().catch(() => {});
      const running = async () => {
        const response = await fetch(`${gated.server.url}/processes`, { headers: SERVER_AUTH });
        return ((await response.json()) as { count: number }).count;
      };
      await waitFor(async () => (await running()) === 0, "the chat to stop after its client left", 20_000);
    }),
});

Deno.test({
  name:
    "behind the gate without MAX_CONNECTIONS, running out of fds pauses accepting and never ends the server",
  sanitizeResources: false,
  fn: () =>
    withServer({ HEADER_TIMEOUT_S: "60" }, async ({ server, client, port }) => {
      const conns: Deno.TcpConn[] = [];
      try {
        const baselineFds = fdCount(server.child.pid);
        conns.push(...await openIdle(port, 400));
        await waitFor(() => server.output().includes("cannot accept connections"), "fds to run out", 15_000);
        await endFlood(server, conns, { client, baselineFds });
        assert.match(server.output(), /accepting connections again/);
      } finally {
        closeAll(conns);
      }
    }),
});
