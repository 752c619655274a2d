/**
 * The warm pool through the real server and runner, with the kit's fake CLI: its `started` scenario prints
 * when the CLI process started and when its prompt came, and its pid; `echo` prints its arguments and its
 * first stdin line. Each server gets a model name of its own, which is in every command line it starts, so
 * its CLIs can be counted in /proc.
 */

import assert from "node:assert/strict";
import { SPARE_RSS_ESTIMATE_BYTES } from "../../application/warm_pool_stats.ts";
import { cliLeadersMatching, FAKE_CLI, processesMatching, readingStdin } from "../../testkit/processes.ts";
import { SERVER_AUTH, type ServerProcess, spawnServer } from "../../testkit/server_process.ts";
import { readSse, type SseEvent } from "../../testkit/sse_client.ts";
import { waitFor } from "../../testkit/wait_for.ts";

interface WarmServer {
  server: ServerProcess;
  cwd: string;
  /** The model every chat of the test asks for (`--model=<model>` marks its CLIs). */
  model: string;
}

async function withWarmServer(env: Record<string, string>, fn: (context: WarmServer) => Promise<void>) {
  const cwd = await Deno.makeTempDir({ prefix: "warm-pool-" });
  const model = `warm-${crypto.randomUUID().slice(0, 8)}`;
  const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI, WARM_POOL: "1", ...env });
  try {
    await fn({ server, cwd, model });
  } finally {
    await server.stop();
    await Deno.remove(cwd, { recursive: true });
  }
  assert.deepEqual(processesMatching(model), [], "no CLI of the test outlives its server");
}

async function chat(server: ServerProcess, body: Record<string, unknown>): Promise<SseEvent[]> {
  const response = await fetch(`${server.url}/chat`, {
    method: "POST",
    headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, await response.clone().text());
  const events = await readSse(response);
  const done = JSON.parse(events.at(-1)!.data);
  assert.equal(events.at(-1)!.event, "done");
  assert.equal(done.exit_code, 0, JSON.stringify(events));
  return events;
}

/** The `started` line of a chat: when its CLI started and got its prompt (µs since the epoch), its pid. */
async function startedChat(context: WarmServer, extra: Record<string, unknown> = {}) {
  const events = await chat(context.server, {
    prompt: "started",
    cwd: context.cwd,
    model: context.model,
    ...extra,
  });
  const line = events.map((event) => JSON.parse(event.data)).find((data) => data.type === "started");
  assert.ok(line, JSON.stringify(events));
  return line as { started_us: number; prompt_us: number; pid: number };
}

async function metric(server: ServerProcess, name: string): Promise<number> {
  const text = await (await fetch(`${server.url}/metrics`, { headers: SERVER_AUTH })).text();
  const line = text.split("\n").find((line) => line.startsWith(`${name} `));
  assert.ok(line, `${name} in /metrics:\n${text}`);
  return Number(line.slice(name.length + 1));
}

async function health(server: ServerProcess): Promise<Record<string, unknown>> {
  return await (await fetch(`${server.url}/health`)).json();
}

/**
 * Waits until the server has `count` spares, and they are the only CLIs of the test, started up and
 * waiting for a prompt; returns their pids.
 */
async function spares(context: WarmServer, count: number): Promise<number[]> {
  await waitFor(
    async () =>
      await metric(context.server, "claudecode2api_warm_spares") === count &&
      cliLeadersMatching(context.model).length === count &&
      cliLeadersMatching(context.model).every(readingStdin),
    `${count} spare(s) waiting for a prompt and no other CLI of this test`,
  );
  return cliLeadersMatching(context.model);
}

Deno.test("a matching chat is served by a spare started before its request", async () => {
  await withWarmServer({}, async (context) => {
    const first = await startedChat(context);
    assert.ok(first.prompt_us >= first.started_us);
    const [spare] = await spares(context, 1);
    const requestedUs = Date.now() * 1000;
    const warm = await startedChat(context);
    assert.equal(warm.pid, spare, "the chat ran on the waiting spare");
    assert.ok(warm.started_us < requestedUs, "its CLI started before the request was sent");
    assert.equal(await metric(context.server, 'claudecode2api_warm_starts_total{start="warm"}'), 1);
    assert.equal(await metric(context.server, 'claudecode2api_warm_starts_total{start="cold"}'), 1);
    const [replacement] = await spares(context, 1);
    assert.notEqual(replacement, spare, "the taken spare was replaced");
    const report = await health(context.server);
    assert.deepEqual(report.warm_pool, {
      spares: 1,
      max: 4,
      memory_estimate_bytes: SPARE_RSS_ESTIMATE_BYTES,
      memory_bound_bytes: 4 * SPARE_RSS_ESTIMATE_BYTES,
    });
  });
});

Deno.test("a chat served by a spare streams the same lines as a cold one: same arguments, same stdin", async () => {
  await withWarmServer({}, async (context) => {
    const body = {
      prompt: "echo",
      cwd: context.cwd,
      model: context.model,
      append_system_prompt: "Be brief.",
    };
    await chat(context.server, body);
    const [spare] = await spares(context, 1);
    // Both at once: one takes the spare, the other finds none waiting and starts cold.
    const [a, b] = await Promise.all([chat(context.server, body), chat(context.server, body)]);
    const pidOf = (events: SseEvent[]) => JSON.parse(events[0].data).pid;
    const [warm, cold] = pidOf(a) === spare ? [a, b] : [b, a];
    assert.equal(pidOf(warm), spare);
    assert.notEqual(pidOf(cold), spare);
    // What differs by nature: the session id the CLI made up, its pid, the run time.
    const normalized = (events: SseEvent[]) =>
      events.map((event) => ({
        event: event.event,
        id: event.id,
        data: event.data.replace(/"(session_id|process_id)":"[^"]*"/g, "").replace(
          /"(pid|duration_ms)":\d+/g,
          "",
        ),
      }));
    assert.deepEqual(normalized(warm), normalized(cold));
    // init, echo, the 7 arguments (the 4 fixed ones, model, permission mode, system prompt), stdin, result, done
    assert.equal(warm.length, 12);
  });
});

Deno.test("a chat of another configuration starts cold and leaves the spare waiting", async () => {
  await withWarmServer({}, async (context) => {
    await startedChat(context);
    const [spare] = await spares(context, 1);
    const requestedUs = Date.now() * 1000;
    const other = await startedChat(context, { permission_mode: "plan" });
    assert.notEqual(other.pid, spare);
    assert.ok(other.started_us >= requestedUs, "its CLI started after the request");
    assert.ok(cliLeadersMatching(context.model).includes(spare), "the spare still waits");
    const resumed = await startedChat(context, { session_id: "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11" });
    assert.ok(resumed.started_us >= requestedUs, "a resumed chat starts cold");
    assert.equal(await metric(context.server, 'claudecode2api_warm_starts_total{start="warm"}'), 0);
  });
});

Deno.test("a spare killed while it waited is replaced, and the next chat runs on the replacement", async () => {
  await withWarmServer({}, async (context) => {
    await startedChat(context);
    const [spare] = await spares(context, 1);
    Deno.kill(spare, "SIGKILL");
    await waitFor(
      async () => await metric(context.server, 'claudecode2api_warm_spares_ended_total{reason="died"}') === 1,
      "the death to be noticed",
    );
    const [replacement] = await spares(context, 1);
    assert.notEqual(replacement, spare);
    const next = await startedChat(context);
    assert.equal(next.pid, replacement, "served by the replacement, not the dead spare");
  });
});

Deno.test("a spare nobody takes is retired after WARM_IDLE_S and not replaced", async () => {
  await withWarmServer({ WARM_IDLE_S: "1" }, async (context) => {
    await startedChat(context);
    await spares(context, 1);
    await waitFor(
      async () =>
        await metric(context.server, 'claudecode2api_warm_spares_ended_total{reason="retired"}') === 1,
      "the spare to be retired",
    );
    await spares(context, 0);
  });
});

Deno.test("the server's shutdown ends every spare: no CLI is left", async () => {
  await withWarmServer({ WARM_POOL: "2" }, async (context) => {
    await startedChat(context);
    assert.equal((await spares(context, 2)).length, 2);
    const status = await context.server.stop();
    assert.equal(status.code, 0);
    assert.deepEqual(processesMatching(context.model), []);
  });
});

Deno.test("spares do not count against MAX_CONCURRENT", async () => {
  await withWarmServer({ WARM_POOL: "2", MAX_CONCURRENT: "1", QUEUE_MAX: "0" }, async (context) => {
    await startedChat(context);
    const waiting = await spares(context, 2);
    // With two spares waiting, the one slot is still free (else this chat would get 429).
    const warm = await startedChat(context);
    assert.ok(waiting.includes(warm.pid));
    assert.equal(await metric(context.server, 'claudecode2api_warm_starts_total{start="warm"}'), 1);
  });
});
