import assert from "node:assert/strict";
import { AUTH, buildTestApp, chatRequest, type ErrorJson } from "../support/test_app.ts";

Deno.test("POST /chat: malformed JSON is 400, a non-object body is 400, an oversized body is 413", async () => {
  const { app } = buildTestApp();
  const malformed = await app.request("/chat", chatRequest("{not json"));
  assert.equal(malformed.status, 400);
  assert.equal(((await malformed.json()) as ErrorJson).error.code, "invalid_json");
  const empty = await app.request("/chat", chatRequest(""));
  assert.equal(empty.status, 400);
  const array = await app.request("/chat", chatRequest([1, 2]));
  assert.equal(array.status, 400);
  const big = await app.request("/chat", chatRequest({ prompt: "x".repeat(70_000), cwd: "/tmp" }));
  assert.equal(big.status, 413);
  assert.equal(((await big.json()) as ErrorJson).error.code, "payload_too_large");
  // Without Content-Length (a chunked upload) the limit holds while reading.
  const stream = new ReadableStream({
    pull(controller) {
      controller.enqueue(new TextEncoder().encode(" ".repeat(16 * 1024)));
    },
  });
  const chunked = await app.request("/chat", {
    method: "POST",
    headers: { ...AUTH, "Content-Type": "application/json" },
    body: stream,
    duplex: "half",
  } as RequestInit);
  assert.equal(chunked.status, 413);
});
