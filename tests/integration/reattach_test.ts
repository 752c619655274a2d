import assert from "node:assert/strict";
import { privateFakeCli, processesMatching } from "../../testkit/processes.ts";
import { SERVER_AUTH, type ServerProcess, spawnServer } from "../../testkit/server_process.ts";
import { readBlocks, type SseBlock, SseBlockReader } from "../../testkit/sse_blocks.ts";
import { startTcpProxy } from "../../testkit/tcp_proxy.ts";
import { waitFor, within } from "../../testkit/wait_for.ts";

/** The server, its private CLI, a directory to run chats in, and a proxy in front of the server. */
interface Setup {
  server: ServerProcess;
  cli: string;
  dir: string;
}

function post(base: string, dir: string, body: Record<string, unknown>, signal?: AbortSignal) {
  return fetch(`${base}/chat`, {
    method: "POST",
    headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
    body: JSON.stringify({ cwd: dir, ...body }),
    signal,
  });
}

function attach(base: string, id: string, after: number, headers: Record<string, string> = SERVER_AUTH) {
  return fetch(`${base}/chat/${id}/events`, { headers: { ...headers, "Last-Event-ID": String(after) } });
}

/** Fails unless the blocks' ids are 1, 2, 3… with none missing or twice (naming the first that is not). */
function assertIdsInOrder(blocks: SseBlock[]): void {
  const wrong = blocks.findIndex((block, index) => block.id !== index + 1);
  assert.equal(wrong, -1, `event ${wrong + 1} has id ${blocks[wrong]?.id}`);
}

/** The `seq` of each message line that carries one, in order. */
function sequence(blocks: SseBlock[]): number[] {
  return blocks.filter((block) => block.event === "message" && block.data.includes('"seq"'))
    .map((block) => JSON.parse(block.data).seq);
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function chatState(server: ServerProcess, id: string) {
  return await (await fetch(`${server.url}/chat/${id}`, { headers: SERVER_AUTH })).json();
}

const SLOW_WATCHER =
  "three watchers, one slow: identical bytes for every id all got; the slow one learns of a gap";

const SCENARIOS: Record<string, (setup: Setup) => Promise<void>> = {
  "a client cut mid-stream reattaches with Last-Event-ID and has all 100,000 lines once, in order": async (
    { server, dir },
  ) => {
    const abort = new AbortController();
    const response = await post(
      server.url,
      dir,
      { prompt: "lines 100000 40", detach_grace_s: 60 },
      abort.signal,
    );
    const id = response.headers.get("X-Process-ID")!;
    const first = await readBlocks(new SseBlockReader(response.body!), (block) => block.id >= 2000);
    abort.abort();
    const rest = await readBlocks(new SseBlockReader((await attach(server.url, id, first.at(-1)!.id)).body!));
    const all = [...first, ...rest];
    assertIdsInOrder(all);
    assert.equal(all.at(-1)!.event, "done");
    const seqs = sequence(all);
    assert.equal(seqs.length, 100_000);
    const expected = Array.from({ length: 100_000 }, (_, index) => index + 1);
    assert.equal(await sha256(seqs.join(",")), await sha256(expected.join(",")));
    assert.equal(JSON.parse(all.at(-1)!.data).exit_code, 0);
  },

  "a proxy that drops the socket: the client reattaches through it and misses nothing": async (
    { server, dir },
  ) => {
    const proxy = startTcpProxy({ hostname: "127.0.0.1", port: Number(new URL(server.url).port) });
    try {
      const response = await post(proxy.url, dir, { prompt: "slow 40 0.05", detach_grace_s: 30 });
      const id = response.headers.get("X-Process-ID")!;
      const first = await readBlocks(new SseBlockReader(response.body!), (block) => block.id >= 10);
      proxy.dropAll();
      const rest = await readBlocks(
        new SseBlockReader((await attach(proxy.url, id, first.at(-1)!.id)).body!),
      );
      const seqs = sequence([...first, ...rest]);
      assert.deepEqual(seqs, Array.from({ length: 40 }, (_, index) => index + 1));
      assert.equal(JSON.parse(rest.at(-1)!.data).cancelled, false);
    } finally {
      await proxy.close();
    }
  },

  [SLOW_WATCHER]: async ({ server, dir }) => {
    const response = await post(server.url, dir, { prompt: "lines 100000 200" });
    const id = response.headers.get("X-Process-ID")!;
    const fast = readBlocks(new SseBlockReader(response.body!));
    const other = readBlocks(new SseBlockReader((await attach(server.url, id, 0)).body!));
    const slowReader = new SseBlockReader((await attach(server.url, id, 0)).body!);
    // The slow one takes a few events, then nothing until the others have the whole stream: ~25 MB,
    // more than loopback socket buffers take in for it.
    const slow = await readBlocks(slowReader, (block) => block.id >= 10);
    const [a, b] = await Promise.all([fast, other]);
    slow.push(...await readBlocks(slowReader));
    // The two fast ones need not keep pace with each other (the slower of them may fall behind too, on a
    // busy machine): what holds is that every id any two of them got has the same bytes.
    const byId = new Map(a.map((block) => [block.id, block.raw]));
    for (const block of [...b, ...slow]) {
      if (!Number.isNaN(block.id) && byId.has(block.id) && block.raw !== byId.get(block.id)) {
        assert.fail(`event ${block.id} differs between watchers:\n${block.raw}\n${byId.get(block.id)}`);
      }
    }
    for (const blocks of [a, b, slow]) assert.equal(blocks.at(-1)!.event, "done");
    const shared = b.filter((block) => byId.has(block.id)).length;
    assert.ok(shared > 1000, `the fast watchers share ${shared} events`);
    const gaps = slow.filter((block) => block.event === "gap");
    assert.ok(gaps.length >= 1, "REPLAY_BYTES is far below the stream: the slow watcher fell behind");
    assert.equal(slow.at(-1)!.event, "done");
  },

  "detach grace: no watcher, the chat is stopped after the grace, not before": async (
    { server, cli, dir },
  ) => {
    const abort = new AbortController();
    const response = await post(server.url, dir, { prompt: "hang", detach_grace_s: 3 }, abort.signal);
    const id = response.headers.get("X-Process-ID")!;
    await new SseBlockReader(response.body!).next();
    abort.abort();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const during = await chatState(server, id);
    assert.equal(during.status, "running");
    assert.equal(during.watchers, 0);
    await waitFor(async () => (await chatState(server, id)).status === "finished", "the grace to run out");
    const after = await chatState(server, id);
    assert.equal(after.done.stop_reason, "disconnected");
    await waitFor(() => processesMatching(cli).length === 0, "the CLI to exit");
  },

  "detach grace: a client that reattaches within it keeps the chat running to its end": async (
    { server, dir },
  ) => {
    const abort = new AbortController();
    const response = await post(server.url, dir, { prompt: "slow 30 0.1", detach_grace_s: 5 }, abort.signal);
    const id = response.headers.get("X-Process-ID")!;
    const first = await readBlocks(new SseBlockReader(response.body!), (block) => block.id >= 3);
    abort.abort();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const rest = await readBlocks(new SseBlockReader((await attach(server.url, id, first.at(-1)!.id)).body!));
    const done = JSON.parse(rest.at(-1)!.data);
    assert.equal(done.cancelled, false);
    assert.equal(done.exit_code, 0);
    assert.deepEqual(sequence([...first, ...rest]), Array.from({ length: 30 }, (_, index) => index + 1));
  },

  "a watch token opens its own chat's events only, and nothing else": async ({ server, dir }) => {
    const one = await post(server.url, dir, { prompt: "lines 3" });
    const two = await post(server.url, dir, { prompt: "lines 3" });
    await Promise.all([one.text(), two.text()]);
    const [idOne, idTwo] = [one, two].map((response) => response.headers.get("X-Process-ID")!);
    const token = one.headers.get("X-Watch-Token")!;
    assert.ok(token.length >= 22, "128 bits or more");
    const own = await fetch(`${server.url}/chat/${idOne}/events?token=${token}`);
    assert.equal(own.status, 200);
    assert.equal((await readBlocks(new SseBlockReader(own.body!))).at(-1)!.event, "done");
    const other = await fetch(`${server.url}/chat/${idTwo}/events?token=${token}`);
    assert.equal(other.status, 401);
    assert.equal((await other.json()).error.code, "invalid_token");
    const state = await fetch(`${server.url}/chat/${idOne}?token=${token}`);
    assert.equal(state.status, 401);
    await state.body?.cancel();
    const cancel = await fetch(`${server.url}/chat/${idOne}?token=${token}`, { method: "DELETE" });
    assert.equal(cancel.status, 401);
    await cancel.body?.cancel();
    const unknown = await fetch(`${server.url}/chat/${crypto.randomUUID()}/events`, { headers: SERVER_AUTH });
    assert.equal(unknown.status, 404);
    assert.equal((await unknown.json()).error.code, "process_not_found");
  },
};

async function onServer(t: Deno.TestContext, env: Record<string, string>, scenarios: typeof SCENARIOS) {
  const dir = await Deno.makeTempDir({ prefix: "reattach-" });
  const cli = await privateFakeCli(dir);
  const server = await spawnServer({ CLAUDE_PATH: cli, ...env });
  try {
    for (const [name, scenario] of Object.entries(scenarios)) {
      // A stream that never ends must fail the step, not hang the suite.
      await t.step(name, () => within(scenario({ server, cli, dir }), 120_000, name));
    }
  } finally {
    await server.stop();
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("reattaching: dropped connections, detach grace, watch tokens", async (t) => {
  const { [SLOW_WATCHER]: _, ...scenarios } = SCENARIOS;
  await onServer(t, { REPLAY_BYTES: String(64 * 1024 * 1024) }, scenarios);
});

Deno.test("reattaching: a small REPLAY_BYTES bounds what is kept; a watcher that falls behind gets a gap", async (t) => {
  await onServer(t, { REPLAY_BYTES: "65536" }, { [SLOW_WATCHER]: SCENARIOS[SLOW_WATCHER] });
});
