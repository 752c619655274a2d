import assert from "node:assert/strict";
import { FAKE_CLI, privateFakeCli, processesMatching } from "../../testkit/processes.ts";
import { SERVER_AUTH, type ServerProcess, spawnServer } from "../../testkit/server_process.ts";
import { parseSse, type SseEvent, SseReader } from "../../testkit/sse_client.ts";

/** The server the faults run against, its private CLI, and directories. */
interface Faults {
  dir: string;
  cli: string;
  cwd: string;
  server: ServerProcess;
}

/** One server for every fault, running its own copy of the fake CLI so leftovers are easy to find. */
async function setup(): Promise<Faults> {
  const dir = await Deno.makeTempDir({ prefix: "faults-" });
  const cli = await privateFakeCli(dir);
  const cwd = `${dir}/work`;
  await Deno.mkdir(cwd);
  const server = await spawnServer({
    CLAUDE_PATH: cli,
    CANCEL_GRACE_S: "0.5",
    KILL_AFTER_S: "0.5",
    // Long enough that a CLI busy writing 50 MB to stderr (no stdout) is not idle even on a loaded machine.
    IDLE_TIMEOUT_S: "3",
  });
  return { dir, cli, cwd, server };
}

function chat(server: ServerProcess, body: Record<string, unknown>): Promise<Response> {
  return fetch(`${server.url}/chat`, {
    method: "POST",
    headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function settled(cli: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (processesMatching(cli).length > 0) {
    if (Date.now() > deadline) throw new Error(`left running: ${processesMatching(cli)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function eventTypes(events: SseEvent[]): string[] {
  return events.map((event) => event.event);
}
/** What the CLI does, and what the client and the machine see then; run in this order on one server. */
const FAULTS: Record<string, (faults: Faults) => Promise<void>> = {
  "it crashes mid-stream (SIGKILL): the line so far, an error naming the signal, done": async (
    { cli, cwd, server },
  ) => {
    const events = parseSse(await (await chat(server, { prompt: "crash", cwd })).text());
    assert.deepEqual(eventTypes(events), ["message", "message", "error", "done"]);
    assert.equal(events[1].data, '{"type":"assistant","seq":1}');
    const error = JSON.parse(events[2].data);
    assert.equal(error.signal, "SIGKILL");
    assert.equal(error.exit_code, null);
    await settled(cli);
  },

  "it exits before printing anything: just done, exit code 0": async ({ cwd, server }) => {
    const events = parseSse(await (await chat(server, { prompt: "silent-exit", cwd })).text());
    assert.deepEqual(eventTypes(events), ["done"]);
    assert.equal(JSON.parse(events[0].data).exit_code, 0);
  },

  "it prints lines that are not JSON: forwarded verbatim": async ({ cwd, server }) => {
    const events = parseSse(await (await chat(server, { prompt: "notjson", cwd })).text());
    assert.equal(events[1].data, "this is not JSON");
    assert.equal(events[2].data, "tab\there and a trailing space ");
  },

  "a carriage return inside a line cannot break the SSE framing": async ({ cwd, server }) => {
    const text = await (await chat(server, { prompt: "carriage", cwd })).text();
    assert.ok(text.includes("event: message\ndata: before\ndata: after\n\n"));
    assert.deepEqual(eventTypes(parseSse(text)), ["message", "message", "message", "done"]);
  },

  "UTF-8 split across the CLI's writes arrives intact": async ({ cwd, server }) => {
    const events = parseSse(await (await chat(server, { prompt: "utf8split", cwd })).text());
    assert.equal(events[1].data, '{"text":"café €"}');
  },

  "a 5 MB line arrives whole as one event": async ({ cwd, server }) => {
    const events = parseSse(await (await chat(server, { prompt: "bigline 5000000", cwd })).text());
    assert.equal(JSON.parse(events[1].data).text.length, 5_000_000);
  },

  "it never exits and ignores SIGINT and SIGTERM: DELETE still ends it (SIGKILL)": async (
    { cli, cwd, server },
  ) => {
    const response = await chat(server, { prompt: "ignore-signals", cwd });
    const reader = new SseReader(response);
    await reader.next();
    const id = response.headers.get("X-Process-ID");
    const cancel = await fetch(`${server.url}/chat/${id}`, { method: "DELETE", headers: SERVER_AUTH });
    assert.deepEqual(await cancel.json(), { status: "cancelled", process_id: id });
    const rest = await reader.rest();
    assert.deepEqual(eventTypes(rest), ["error", "done"]);
    assert.equal(JSON.parse(rest[0].data).signal, "SIGKILL");
    assert.equal(JSON.parse(rest[1].data).cancelled, true);
    await settled(cli);
  },

  "a 64 MiB line arrives whole as one event": async ({ cwd, server }) => {
    const size = 64 * 1024 * 1024;
    const events = parseSse(await (await chat(server, { prompt: `bigline ${size}`, cwd })).text());
    assert.deepEqual(eventTypes(events), ["message", "message", "message", "done"]);
    const line = events[1].data;
    assert.equal(line.length, size + '{"type":"assistant","text":""}'.length);
    assert.ok(line.startsWith('{"type":"assistant","text":"yyy') && line.endsWith('yyy"}'));
  },

  "it floods stderr with 50 MB: no stall, the chat ends normally": async ({ cwd, server }) => {
    const events = parseSse(await (await chat(server, { prompt: "stderr-flood 50", cwd })).text());
    assert.deepEqual(eventTypes(events), ["message", "message", "done"]);
  },

  "a grandchild keeps the pipe open after the CLI exits: the chat ends, the grandchild dies": async (
    { cli, cwd, server },
  ) => {
    const events = parseSse(await (await chat(server, { prompt: "grandchild", cwd })).text());
    assert.equal(events.at(-1)!.event, "done");
    const { pid } = JSON.parse(events[1].data);
    await settled(cli);
    assert.equal(processesMatching("sleep 300").includes(pid), false);
  },

  "it prints nothing for IDLE_TIMEOUT_S: stopped, and the error event says so": async (
    { cli, cwd, server },
  ) => {
    const events = parseSse(await (await chat(server, { prompt: "hang", cwd })).text());
    const error = events.find((event) => event.event === "error");
    assert.ok(error);
    assert.equal(JSON.parse(error.data).reason, "idle");
    assert.match(JSON.parse(error.data).message, /IDLE_TIMEOUT_S/);
    await settled(cli);
  },

  "the cwd is deleted while the chat runs: the chat still ends; a new one on it is a 422": async (
    { dir, server },
  ) => {
    const doomed = `${dir}/doomed`;
    await Deno.mkdir(doomed);
    const response = await chat(server, { prompt: "slow 5 0.1", cwd: doomed });
    const reader = new SseReader(response);
    await reader.next();
    await Deno.remove(doomed, { recursive: true });
    assert.equal((await reader.rest()).at(-1)!.event, "done");
    const again = await chat(server, { prompt: "x", cwd: doomed });
    assert.equal(again.status, 422);
    assert.match((await again.json()).error.message, /does not exist/);
  },

  "the binary loses its run bit, then vanishes: /health and POST /chat turn to 503": async (
    { cli, cwd, server },
  ) => {
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
    await Deno.chmod(cli, 0o644);
    const health = await fetch(`${server.url}/health`);
    assert.equal(health.status, 503);
    assert.match((await health.json()).error, /not executable/);
    const refused = await chat(server, { prompt: "x", cwd });
    assert.equal(refused.status, 503);
    assert.equal((await refused.json()).error.code, "cli_unavailable");
    await Deno.remove(cli);
    const gone = await fetch(`${server.url}/health`);
    assert.equal(gone.status, 503);
    assert.match((await gone.json()).error, /does not exist/);
    assert.equal((await chat(server, { prompt: "x", cwd })).status, 503);
    await Deno.copyFile(FAKE_CLI, cli);
    await Deno.chmod(cli, 0o755);
    assert.equal((await fetch(`${server.url}/health`)).status, 200);
  },

  "afterwards /processes is empty": async ({ server }) => {
    const list = await (await fetch(`${server.url}/processes`, { headers: SERVER_AUTH })).json();
    assert.deepEqual(list, { processes: [], count: 0 });
  },
};

Deno.test("faults: whatever the CLI does, the client gets a well-formed stream and nothing is left running", async (t) => {
  const faults = await setup();
  try {
    for (const [name, fault] of Object.entries(FAULTS)) await t.step(name, () => fault(faults));
  } finally {
    await faults.server.stop();
    await Deno.remove(faults.dir, { recursive: true });
  }
});
