import assert from "node:assert/strict";
import { MAX_ARG_BYTES } from "../../../interface/chat_request_schema.ts";
import { AUTH, buildTestApp, chatRequest, type ErrorJson } from "../../support/test_app.ts";

const MiB = 1024 * 1024;

/** A chunked body of `text` in 64 KiB pieces that counts how many pieces were taken. */
function countedBody(text: string): { body: ReadableStream<Uint8Array>; pieces: () => number } {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  let pieces = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      pieces++;
      controller.enqueue(bytes.slice(offset, offset += 64 * 1024));
    },
  }, { highWaterMark: 0 });
  return { body, pieces: () => pieces };
}

function post(body: ReadableStream<Uint8Array>): RequestInit {
  return {
    method: "POST",
    headers: { ...AUTH, "Content-Type": "application/json" },
    body,
    duplex: "half",
  } as RequestInit;
}

Deno.test("POST /chat on a full server is a 429 before a byte of the body is read", async () => {
  const { app, runner } = buildTestApp({ maxConcurrent: 1, queueMax: 0, app: { maxBodyBytes: 10 * MiB } });
  const running = app.request("/chat", chatRequest({ prompt: "x", cwd: "/tmp" }));
  const run = await runner.nextRun();
  const big = countedBody(JSON.stringify({ prompt: "x".repeat(10 * MiB - 100), cwd: "/tmp" }));
  const refused = await app.request("/chat", post(big.body));
  assert.equal(refused.status, 429);
  assert.equal(((await refused.json()) as ErrorJson).error.code, "capacity_exhausted");
  assert.ok(refused.headers.get("Retry-After"));
  assert.equal(big.pieces(), 0);
  run.end();
  await (await running).text();
});

Deno.test("POST /chat nested deeper than 64 is a 422 naming the field, without reading the rest", async () => {
  const { app } = buildTestApp({ app: { maxBodyBytes: 10 * MiB } });
  const depth = 4 * MiB;
  const deep = countedBody(
    `{"prompt":"x","cwd":"/tmp","json_schema":{"a":${"[".repeat(depth)}${"]".repeat(depth)}}}`,
  );
  const response = await app.request("/chat", post(deep.body));
  assert.equal(response.status, 422);
  const body = (await response.json()) as ErrorJson;
  assert.equal(body.error.code, "validation_error");
  assert.deepEqual(body.error.details, [{ field: "json_schema", message: "nests deeper than 64 levels" }]);
  assert.equal(deep.pieces(), 1);
  // 64 levels, the body included, are fine.
  const ok = await app.request("/chat", chatRequest({ prompt: "x", cwd: "/nowhere", json_schema: nest(63) }));
  assert.equal(((await ok.json()) as ErrorJson).error.details![0].field, "cwd");
});

/** `{"a":{"a":…{}}}` with `levels` objects. */
function nest(levels: number): Record<string, unknown> {
  let value: Record<string, unknown> = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
}

Deno.test("POST /chat with more than 10,000 values in all is a 422 naming the field", async () => {
  const { app } = buildTestApp({ app: { maxBodyBytes: 10 * MiB } });
  const response = await app.request(
    "/chat",
    chatRequest({ prompt: "x", cwd: "/tmp", tools: Array.from({ length: 10_001 }, () => "Read") }),
  );
  assert.equal(response.status, 422);
  assert.deepEqual((await response.json() as ErrorJson).error.details, [
    { field: "tools", message: "holds more than 10000 values in all" },
  ]);
});

Deno.test("POST /chat: a json_schema far over one argument is a 422 whose message shows only its start", async () => {
  const { app } = buildTestApp({ app: { maxBodyBytes: 10 * MiB } });
  const schema = { description: "d".repeat(4 * MiB), type: "object" };
  const response = await app.request("/chat", chatRequest({ prompt: "x", cwd: "/tmp", json_schema: schema }));
  assert.equal(response.status, 422);
  const problem = ((await response.json()) as ErrorJson).error.details![0];
  assert.equal(problem.field, "json_schema");
  assert.ok(problem.message.startsWith(`json_schema {"description":"ddd`), problem.message.slice(0, 200));
  assert.ok(problem.message.length < 400, `${problem.message.length} characters`);
  assert.match(problem.message, new RegExp(`longer than ${MAX_ARG_BYTES} bytes`));
});
