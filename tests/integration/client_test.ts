import assert from "node:assert/strict";
import { cliLeadersMatching, privateFakeCli, processesMatching } from "../../testkit/processes.ts";
import { SERVER_AUTH, type ServerProcess, spawnServer } from "../../testkit/server_process.ts";
import { SseReader } from "../../testkit/sse_client.ts";
import { waitFor } from "../../testkit/wait_for.ts";

/** The server, its private CLI, and `POST /chat` of a prompt in the test's directory. */
interface Clients {
  server: ServerProcess;
  cli: string;
  post(prompt: string, signal?: AbortSignal): Promise<Response>;
}

/** What clients do, and what the server does about it; run in this order on one server. */
const CLIENTS: Record<string, (clients: Clients) => Promise<void>> = {
  "a client that disconnects mid-answer: the CLI is interrupted and gone, the chat unlisted": async (
    { server, cli, post },
  ) => {
    const abort = new AbortController();
    const reader = new SseReader(await post("hang", abort.signal));
    await reader.next();
    assert.equal(cliLeadersMatching(cli).length, 1);
    abort.abort();
    await reader.cancel();
    await waitFor(() => processesMatching(cli).length === 0, "the CLI to exit");
    await waitFor(async () => {
      const list = await (await fetch(`${server.url}/processes`, { headers: SERVER_AUTH })).json();
      return list.count === 0;
    }, "the chat to leave /processes");
    await waitFor(() => server.output().includes("outcome=disconnected"), "the disconnect to be logged");
  },

  "a silent CLI still gets keepalive comments on the stream": async ({ server, cli, post }) => {
    const response = await post("hang");
    const id = response.headers.get("X-Process-ID");
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes(": keepalive\n\n")) text += (await reader.read()).value ?? "";
    await fetch(`${server.url}/chat/${id}`, { method: "DELETE", headers: SERVER_AUTH });
    while (!(await reader.read()).done) { /* drain */ }
    await waitFor(() => processesMatching(cli).length === 0, "the CLI to exit");
  },

  "a client that stops reading: the CLI is held back by its pipe, not buffered in the server": async (
    { server, cli, post },
  ) => {
    // 200,000 lines of ~240 bytes: ~48 MB, far more than pipe and socket buffers hold.
    const response = await post("lines 200000 200");
    const id = response.headers.get("X-Process-ID");
    const reader = response.body!.getReader();
    await reader.read();
    const cliPid = () => processesMatching(cli)[0];
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Had the server read ahead without bound, the CLI would have printed everything and exited by now.
    assert.ok(cliPid(), "the CLI is still running, blocked on its full pipe");
    const list = await (await fetch(`${server.url}/processes`, { headers: SERVER_AUTH })).json();
    assert.equal(list.processes[0].process_id, id);
    await reader.cancel();
    await waitFor(() => processesMatching(cli).length === 0, "the CLI to exit after the client left");
  },
};

Deno.test("clients: disconnects stop the CLI, slow readers hold the CLI back instead of filling memory", async (t) => {
  const dir = await Deno.makeTempDir({ prefix: "clients-" });
  const cli = await privateFakeCli(dir);
  const server = await spawnServer({ CLAUDE_PATH: cli, KEEPALIVE_S: "0.2" });
  const post = (prompt: string, signal?: AbortSignal) =>
    fetch(`${server.url}/chat`, {
      method: "POST",
      headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
      body: JSON.stringify({ prompt, cwd: dir }),
      signal,
    });
  try {
    for (const [name, client] of Object.entries(CLIENTS)) {
      await t.step(name, () => client({ server, cli, post }));
    }
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
});
