/**
 * A client that reads a chat's response headers and then never reads again: with SEND_TIMEOUT_S it is cut
 * off once the chat's output has filled the connection, and the chat (it was its only client) is stopped.
 */
import assert from "node:assert/strict";
import { FAKE_CLI } from "../../testkit/processes.ts";
import { SERVER_AUTH, spawnServer } from "../../testkit/server_process.ts";
import { waitFor } from "../../testkit/wait_for.ts";

/** Sends `POST /chat` over a raw connection and reads until the end of the response headers. */
async function postAndReadHeaders(url: string, body: string): Promise<{ conn: Deno.Conn; head: string }> {
  const { hostname, port } = new URL(url);
  const conn = await Deno.connect({ hostname, port: Number(port) });
  const request = `POST /chat HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
    `Authorization: ${SERVER_AUTH.Authorization}\r\nContent-Type: application/json\r\n` +
    `Content-Length: ${new TextEncoder().encode(body).length}\r\n\r\n${body}`;
  await conn.write(new TextEncoder().encode(request));
  let head = "";
  const buffer = new Uint8Array(4096);
  const deadline = Date.now() + 10_000;
  while (!head.includes("\r\n\r\n")) {
    if (Date.now() > deadline) throw new Error(`no response headers: ${head}`);
    const read = await conn.read(buffer);
    if (read === null) throw new Error(`connection closed before the headers: ${head}`);
    head += new TextDecoder().decode(buffer.subarray(0, read));
  }
  return { conn, head };
}

async function metricsText(url: string): Promise<string> {
  const response = await fetch(`${url}/metrics`, {
    headers: SERVER_AUTH,
    signal: AbortSignal.timeout(10_000),
  });
  return await response.text();
}

Deno.test("a client that stops reading is cut off after SEND_TIMEOUT_S and its chat is stopped", async () => {
  const server = await spawnServer({ CLAUDE_PATH: FAKE_CLI, SEND_TIMEOUT_S: "1" });
  let conn: Deno.Conn | null = null;
  try {
    // Far more output than the connection's buffers hold: the chat waits for the client.
    const sent = await postAndReadHeaders(
      server.url,
      JSON.stringify({ prompt: "lines 2000000 200", cwd: "/tmp" }),
    );
    conn = sent.conn;
    assert.match(sent.head, /^HTTP\/1\.1 200/);
    await waitFor(() => server.output().includes("send_timeout"), "the send timeout in the log", 30_000);
    const line = server.output().split("\n").find((line) => line.includes("send_timeout"))!;
    assert.match(line, /WARN/);
    assert.match(line, /client cut off/);
    await waitFor(
      async () => {
        const response = await fetch(`${server.url}/processes`, { headers: SERVER_AUTH });
        return (await response.json()).count === 0;
      },
      "the chat to be stopped",
      20_000,
    );
    const metrics = await metricsText(server.url);
    assert.match(metrics, /^claudecode2api_send_timeouts_total 1$/m);
    assert.match(metrics, /^claudecode2api_chats_finished_total\{outcome="disconnected"\} 1$/m);
  } finally {
    conn?.close();
    await server.stop();
  }
});
