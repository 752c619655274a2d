import assert from "node:assert/strict";
import { silentLogger } from "../../application/logger.ts";
import { type HttpServerGeneration, serveResilient } from "../../infrastructure/resilient_http_server.ts";

/** A listener whose accept loop the test fails at will. */
class FakeGeneration implements HttpServerGeneration {
  addr: Deno.NetAddr;
  shutdowns = 0;
  #finished = Promise.withResolvers<void>();
  finished = this.#finished.promise;

  constructor(port: number) {
    this.addr = { transport: "tcp", hostname: "127.0.0.1", port };
  }
  failAccept(): void {
    this.#finished.reject(new Error("Too many open files (os error 24)"));
  }
  shutdown(): Promise<void> {
    this.shutdowns++;
    return Promise.resolve();
  }
}

function setUp(failListening: number[] = []) {
  const generations: FakeGeneration[] = [];
  const asked: number[] = [];
  const timers: { fn: () => void; ms: number }[] = [];
  const lines: string[] = [];
  let attempt = 0;
  const server = serveResilient({
    hostname: "127.0.0.1",
    port: 0,
    handler: () => new Response("ok"),
    logger: {
      ...silentLogger,
      warn: (message) => lines.push(message),
      info: (message) => lines.push(message),
    },
    serve: ({ port }) => {
      asked.push(port);
      if (failListening.includes(attempt++)) throw new Error("Too many open files (os error 24)");
      const generation = new FakeGeneration(port === 0 ? 41000 : port);
      generations.push(generation);
      return generation;
    },
    setTimeout: (fn, ms) => timers.push({ fn, ms }),
    now: () => 0,
  });
  const tick = async () => {
    await Promise.resolve();
    await Promise.resolve();
    timers.shift()?.fn();
  };
  return { server, generations, asked, timers, lines, tick };
}

Deno.test("serveResilient() listens again on the same port when accepting fails", async () => {
  const { server, generations, asked, timers, lines, tick } = setUp();
  assert.equal(server.addr.port, 41000);
  generations[0].failAccept();
  await tick();
  assert.deepEqual(asked, [0, 41000]);
  assert.equal(generations.length, 2);
  assert.deepEqual(lines, ["cannot accept connections; listening again", "accepting connections again"]);
  assert.equal(timers.length, 0);
});

Deno.test("serveResilient() backs off, doubling its pause, while listening fails, and logs once", async () => {
  const { generations, asked, timers, lines, tick } = setUp([1, 2, 3, 4, 5, 6]);
  generations[0].failAccept();
  await Promise.resolve();
  await Promise.resolve();
  const pauses: number[] = [];
  while (timers.length > 0) {
    pauses.push(timers[0].ms);
    await tick();
  }
  assert.deepEqual(pauses, [50, 100, 200, 400, 800, 1000, 1000]);
  assert.equal(asked.length, 8);
  assert.equal(generations.length, 2);
  assert.deepEqual(lines, ["cannot accept connections; listening again", "accepting connections again"]);
});

Deno.test("serveResilient() shuts every listener down once, the failed ones too, and then finishes", async () => {
  const { server, generations, tick } = setUp();
  generations[0].failAccept();
  await tick();
  let finished = false;
  server.finished.then(() => finished = true);
  await server.shutdown();
  await Promise.resolve();
  assert.ok(finished);
  assert.deepEqual(generations.map((generation) => generation.shutdowns), [1, 1]);
});

Deno.test("serveResilient() does not listen again once shutting down", async () => {
  const { server, generations, asked, timers } = setUp();
  await server.shutdown();
  generations[0].failAccept();
  await Promise.resolve();
  await Promise.resolve();
  assert.equal(timers.length, 0);
  assert.deepEqual(asked, [0]);
});

Deno.test("serveResilient() throws when the first listener cannot start", () => {
  assert.throws(() => setUp([0]), /Too many open files/);
});
