import assert from "node:assert/strict";
import { FAKE_CLI } from "../../testkit/processes.ts";
import { fdCount } from "../../testkit/proc_stats.ts";
import { SERVER_AUTH, spawnServer } from "../../testkit/server_process.ts";
import { waitFor, within } from "../../testkit/wait_for.ts";

const FD_LIMIT = 256;
const FLOOD = 400;

/** Opens up to `count` idle TCP connections (none sends a byte); refused ones are not counted. */
async function openIdle(port: number, count: number): Promise<Deno.TcpConn[]> {
  const conns: Deno.TcpConn[] = [];
  for (let i = 0; i < count; i++) {
    try {
      conns.push(await Deno.connect({ hostname: "127.0.0.1", port }));
    } catch {
      // Refused while the server has no listener up: the flood goes on.
    }
  }
  return conns;
}

async function healthStatus(url: string, client: Deno.HttpClient): Promise<number> {
  try {
    const response = await fetch(`${url}/health`, { client, signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return 0;
  }
}

Deno.test({
  name:
    "a flood of idle connections past the fd limit neither ends the server nor a running chat, and leaks no fd",
  sanitizeResources: false,
  fn: async () => {
    const cwd = await Deno.makeTempDir({ prefix: "claudecode2api-flood-" });
    const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI }, {
      cwd,
      fdLimit: FD_LIMIT,
      waitHealthy: true,
    });
    const pid = server.child.pid;
    const exited = server.child.status.then(() => true);
    let conns: Deno.TcpConn[] = [];
    // No kept-alive connections of the test's own, so the server's fds can be compared with the baseline.
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    try {
      const baseline = fdCount(pid);
      // A chat that runs through the flood (30 lines, 0.1 s apart).
      const chat = await fetch(`${server.url}/chat`, {
        client,
        method: "POST",
        headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
        body: JSON.stringify({ prompt: "slow 30 0.1", cwd }),
      });
      assert.equal(chat.status, 200);
      const transcript = chat.text();

      conns = await openIdle(Number(new URL(server.url).port), FLOOD);
      await waitFor(
        () => server.output().includes("cannot accept connections"),
        "the flood to exhaust the server's file descriptors",
        15_000,
      );
      for (const conn of conns) conn.close();
      conns = [];

      await waitFor(
        async () => (await healthStatus(server.url, client)) === 200,
        "/health to answer again",
        15_000,
      );
      assert.match(server.output(), /accepting connections again/);
      const text = await within(transcript, 30_000, "the chat to finish");
      assert.match(text, /"seq":30\b/);
      assert.match(text, /event: done\ndata: \{[^\n]*"exit_code":0/);
      await waitFor(() => fdCount(pid) <= baseline, `the server's fds back to ${baseline}`, 15_000);
      assert.equal(
        await Promise.race([exited, Promise.resolve(false)]),
        false,
        "the server is still running",
      );
    } finally {
      for (const conn of conns) conn.close();
      client.close();
      const status = await server.stop();
      await Deno.remove(cwd, { recursive: true });
      assert.equal(status.code, 0, server.output());
    }
  },
});
