import assert from "node:assert/strict";
import { silentLogger } from "../../application/logger.ts";
import { serveBehindGate } from "../../infrastructure/connection_gate.ts";

async function exchange(port: number, request: string): Promise<{ clientPort: number; response: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(request));
    let response = "";
    for await (const text of conn.readable.pipeThrough(new TextDecoderStream())) response += text;
    return { clientPort: conn.localAddr.port, response };
  } finally {
    try {
      conn.close();
    } catch {
      // closed by the stream's end
    }
  }
}

Deno.test("serveBehindGate() tells the handler the client's own address, not the gate's", async () => {
  const seen: Deno.NetAddr[] = [];
  const server = serveBehindGate({
    hostname: "127.0.0.1",
    port: 0,
    logger: silentLogger,
    maxConnections: 10,
    headerTimeoutMs: 5000,
    handler: async (request, info) => {
      seen.push(info.remoteAddr);
      return new Response(`got ${await request.text()}`);
    },
  });
  try {
    const body = "x".repeat(100_000);
    const { clientPort, response } = await exchange(
      server.addr.port,
      `POST / HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    );
    assert.match(response, /^HTTP\/1\.1 200/);
    assert.ok(response.endsWith(`got ${body}`), "the body passed through whole");
    assert.deepEqual(seen.map((addr) => addr.port), [clientPort]);
  } finally {
    await server.shutdown();
  }
});
