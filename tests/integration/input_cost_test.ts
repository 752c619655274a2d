/**
 * What a costly body costs everyone else: while one large or hostile `POST /chat` is sent to a real server
 * (its own process) by another process, `GET /processes` is asked again and again; its slowest answer is how long the server's
 * event loop was held. The figures are printed, not asserted (they depend on the machine); the statuses
 * are asserted.
 */
import assert from "node:assert/strict";
import { FAKE_CLI } from "../../testkit/processes.ts";
import { SERVER_AUTH, spawnServer } from "../../testkit/server_process.ts";

const MiB = 1024 * 1024;

/** Bodies near MAX_BODY_BYTES (10 MiB) that cost the most to read, parse or validate. */
const CASES: Record<string, { body: string; status: number }> = {
  "json_schema nested 4M deep (8 MB)": {
    body: `{"prompt":"x","cwd":"/tmp","json_schema":{"a":${"[".repeat(4 * MiB)}${"]".repeat(4 * MiB)}}}`,
    status: 422,
  },
  "tools: 1M items": { body: `{"prompt":"x","cwd":"/tmp","tools":[${'"a",'.repeat(MiB)}"a"]}`, status: 422 },
  "tools: 10,000 items of 900 bytes (9 MB)": {
    body: JSON.stringify({
      prompt: "x",
      cwd: "/nowhere",
      tools: Array.from({ length: 9_999 }, () => "t".repeat(900)),
    }),
    status: 422,
  },
  "prompt of 9.5 MB": {
    body: JSON.stringify({ prompt: "p".repeat(9.5 * MiB), cwd: "/nowhere" }),
    status: 422,
  },
  "json_schema string of 9 MB": {
    body: JSON.stringify({ prompt: "x", cwd: "/tmp", json_schema: { d: "d".repeat(9 * MiB) } }),
    status: 422,
  },
  "json_schema with 9,999 keys": {
    body: JSON.stringify({
      prompt: "x",
      cwd: "/tmp",
      json_schema: Object.fromEntries(Array.from({ length: 9_990 }, (_, i) => [`key${i}`, "v".repeat(800)])),
    }),
    status: 422,
  },
};

/** The slowest `GET /processes` while `busy` runs, in ms (each ask bounded by 30 s). */
async function slowestAnswerDuring(url: string, busy: Promise<unknown>): Promise<number> {
  let done = false;
  busy.finally(() => done = true).catch(() => {});
  let slowest = 0;
  while (!done) {
    const started = performance.now();
    const response = await fetch(`${url}/processes`, {
      headers: SERVER_AUTH,
      signal: AbortSignal.timeout(30_000),
    });
    await response.body?.cancel();
    slowest = Math.max(slowest, performance.now() - started);
  }
  return slowest;
}

/**
 * Sends `POST /chat` with `bytes` from a separate Deno process, so this process only measures; resolves with
 * its status and the start of its body.
 */
async function postFromAnotherProcess(
  url: string,
  bytes: Uint8Array,
): Promise<{ status: number; text: string }> {
  const file = await Deno.makeTempFile({ prefix: "cc2api-body-" });
  try {
    await Deno.writeFile(file, bytes);
    const script = `const r = await fetch(${JSON.stringify(`${url}/chat`)}, { method: "POST", ` +
      `headers: ${JSON.stringify({ ...SERVER_AUTH, "Content-Type": "application/json" })}, ` +
      `body: await Deno.readFile(${JSON.stringify(file)}) }); ` +
      `console.log(r.status); console.log((await r.text()).slice(0, 300));`;
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["eval", script],
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(60_000),
    }).output();
    const [status, ...text] = new TextDecoder().decode(output.stdout).split("\n");
    return { status: Number(status), text: text.join("\n") + new TextDecoder().decode(output.stderr) };
  } finally {
    await Deno.remove(file);
  }
}

Deno.test("no costly body holds the event loop long: the slowest other answer during each is printed", async () => {
  const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI }, { waitHealthy: true });
  const rows: string[] = [];
  try {
    const idle = await slowestAnswerDuring(server.url, new Promise((resolve) => setTimeout(resolve, 300)));
    rows.push(`${"(idle)".padEnd(42)} slowest other answer ${idle.toFixed(1)} ms`);
    for (const [name, { body, status }] of Object.entries(CASES)) {
      const bytes = new TextEncoder().encode(body);
      const sent = postFromAnotherProcess(server.url, bytes);
      const slowest = await slowestAnswerDuring(server.url, sent);
      const answer = await sent;
      assert.equal(answer.status, status, `${name}: ${answer.text}`);
      rows.push(
        `${name.padEnd(42)} slowest other answer ${slowest.toFixed(1)} ms (${
          (bytes.length / MiB).toFixed(1)
        } MiB)`,
      );
    }
  } finally {
    await server.stop();
    console.log(rows.join("\n"));
  }
});
