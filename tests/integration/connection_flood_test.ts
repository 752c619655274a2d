import assert from "node:assert/strict";
import { FAKE_CLI } from "../../testkit/processes.ts";
import { fdCount } from "../../testkit/proc_stats.ts";
import { SERVER_AUTH, spawnServer } from "../../testkit/server_process.ts";
import { closeAll, endFlood, openIdle } from "../../testkit/tcp_flood.ts";
import { waitFor, within } from "../../testkit/wait_for.ts";

Deno.test({
  name:
    "a flood of idle connections past the fd limit neither ends the server nor a running chat, and leaks no fd",
  sanitizeResources: false,
  fn: async () => {
    const cwd = await Deno.makeTempDir({ prefix: "claudecode2api-flood-" });
    const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI }, { cwd, fdLimit: 256, waitHealthy: true });
    const exited = server.child.status.then(() => true);
    const conns: Deno.TcpConn[] = [];
    // No kept-alive connections of the test's own, so the server's fds can be compared with the baseline.
    const client = Deno.createHttpClient({ poolMaxIdlePerHost: 0 });
    try {
      const baselineFds = fdCount(server.child.pid);
      // A chat that runs through the flood (30 lines, 0.1 s apart).
      const chat = await fetch(`${server.url}/chat`, {
        client,
        method: "POST",
        headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
        body: JSON.stringify({ prompt: "slow 30 0.1", cwd }),
      });
      assert.equal(chat.status, 200);
      const transcript = chat.text();

      conns.push(...await openIdle(Number(new URL(server.url).port), 400));
      await waitFor(
        () => server.output().includes("cannot accept connections"),
        "the flood to exhaust the server's file descriptors",
        15_000,
      );
      await endFlood(server, conns, { client, baselineFds });
      assert.match(server.output(), /accepting connections again/);
      const text = await within(transcript, 30_000, "the chat to finish");
      assert.match(text, /"seq":30\b/);
      assert.match(text, /event: done\ndata: \{[^\n]*"exit_code":0/);
      assert.equal(
        await Promise.race([exited, Promise.resolve(false)]),
        false,
        "the server is still running",
      );
    } finally {
      closeAll(conns);
      client.close();
      const status = await server.stop();
      await Deno.remove(cwd, { recursive: true });
      assert.equal(status.code, 0, server.output());
    }
  },
});
