/** A TCP proxy on loopback that forwards to a target and can cut every connection it carries. */
export interface TcpProxy {
  /** `http://127.0.0.1:PORT`: the proxy's address, for HTTP clients. */
  url: string;
  /** Connections open now. */
  readonly open: number;
  /** Closes every connection at once, both sides, as a proxy that drops its sockets would. */
  dropAll(): void;
  /** Stops listening and drops what is open. */
  close(): Promise<void>;
}

async function pipe(from: Deno.Conn, to: Deno.Conn): Promise<void> {
  const buffer = new Uint8Array(64 * 1024);
  try {
    for (;;) {
      const n = await from.read(buffer);
      if (n === null) break;
      let written = 0;
      while (written < n) written += await to.write(buffer.subarray(written, n));
    }
  } catch {
    // A side closed or was dropped: the other is closed below.
  }
}

/**
 * Starts a proxy to `target` (host and port).
 * @param target where connections go
 */
export function startTcpProxy(target: { hostname: string; port: number }): TcpProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const pairs = new Set<[Deno.Conn, Deno.Conn]>();
  const closePair = (pair: [Deno.Conn, Deno.Conn]) => {
    if (!pairs.delete(pair)) return;
    for (const conn of pair) {
      try {
        conn.close();
      } catch {
        // already closed
      }
    }
  };
  const serve = async (client: Deno.Conn) => {
    let upstream: Deno.Conn;
    try {
      upstream = await Deno.connect(target);
    } catch {
      client.close();
      return;
    }
    const pair: [Deno.Conn, Deno.Conn] = [client, upstream];
    pairs.add(pair);
    await Promise.race([pipe(client, upstream), pipe(upstream, client)]);
    closePair(pair);
  };
  const accepting = (async () => {
    try {
      for await (const conn of listener) void serve(conn);
    } catch {
      // the listener was closed
    }
  })();
  const { port } = listener.addr as Deno.NetAddr;
  return {
    url: `http://127.0.0.1:${port}`,
    get open() {
      return pairs.size;
    },
    dropAll() {
      for (const pair of [...pairs]) closePair(pair);
    },
    async close() {
      listener.close();
      await accepting;
      this.dropAll();
    },
  };
}
