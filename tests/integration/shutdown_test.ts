import assert from "node:assert/strict";
import { cliLeadersMatching, FAKE_CLI, processesMatching } from "../../testkit/processes.ts";
import { SERVER_AUTH, type ServerProcess, spawnServer } from "../../testkit/server_process.ts";
import { SseReader } from "../../testkit/sse_client.ts";

async function openChats(url: string, cwd: string, prompt: string, count: number): Promise<SseReader[]> {
  const readers: SseReader[] = [];
  for (let i = 0; i < count; i++) {
    const response = await fetch(`${url}/chat`, {
      method: "POST",
      headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
      body: JSON.stringify({ prompt, cwd }),
    });
    assert.equal(response.status, 200);
    const reader = new SseReader(response);
    await reader.next(); // the init line: the CLI is running
    readers.push(reader);
  }
  return readers;
}

/** Stops the server and checks that it exited 0 and left no fake CLI behind. */
async function assertCleanExit(server: ServerProcess): Promise<void> {
  const status = await server.stop();
  assert.equal(status.code, 0);
  assert.deepEqual(processesMatching(FAKE_CLI), []);
}

Deno.test("SIGTERM to the server interrupts every chat: each stream ends with done, no CLI remains, exit 0", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "shutdown-graceful-" });
  const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI, CANCEL_GRACE_S: "5" });
  try {
    const readers = await openChats(server.url, cwd, "hang", 3);
    assert.equal(cliLeadersMatching(FAKE_CLI).length, 3);
    server.signal("SIGTERM");
    for (const reader of readers) {
      const rest = await reader.rest();
      const done = rest.at(-1)!;
      assert.equal(done.event, "done");
      assert.equal(JSON.parse(done.data).stop_reason, "shutdown");
      assert.ok(rest.some((event) => event.data.includes("Request interrupted by user")));
    }
    await assertCleanExit(server);
  } finally {
    await server.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});

Deno.test("a second SIGTERM during the wait kills the CLIs at once, still leaving none behind", async () => {
  const cwd = await Deno.makeTempDir({ prefix: "shutdown-twice-" });
  // These CLIs ignore SIGINT and SIGTERM: only the escalation (60 s away) or a second signal ends them.
  const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI, CANCEL_GRACE_S: "60", KILL_AFTER_S: "60" });
  try {
    const readers = await openChats(server.url, cwd, "ignore-signals", 3);
    server.signal("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(cliLeadersMatching(FAKE_CLI).length, 3, "the first signal only interrupts");
    server.signal("SIGTERM");
    for (const reader of readers) {
      const rest = await reader.rest();
      assert.equal(rest.at(-1)!.event, "done");
    }
    await assertCleanExit(server);
  } finally {
    await server.stop();
    await Deno.remove(cwd, { recursive: true });
  }
});
