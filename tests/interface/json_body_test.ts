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

Deno.test("POST /chat with a body that is not declared as JSON is a 415 naming the Content-Type", async () => {
  const { app, runner } = buildTestApp();
  const body = JSON.stringify({ prompt: "x", cwd: "/tmp" });
  const text = await app.request("/chat", { method: "POST", headers: AUTH, body });
  assert.equal(text.status, 415);
  assert.deepEqual(await text.json(), {
    error: {
      code: "unsupported_media_type",
      message: 'Content-Type "text/plain" is not supported; send application/json',
    },
  });
  const form = await app.request(
    "/chat",
    chatRequest(body, { "Content-Type": "application/x-www-form-urlencoded" }),
  );
  assert.equal(form.status, 415);
  const missing = await app.request("/chat", {
    method: "POST",
    headers: AUTH,
    body: new Blob([body]),
  });
  assert.equal(missing.status, 415);
  assert.equal(
    ((await missing.json()) as ErrorJson).error.message,
    "Content-Type is missing; send application/json",
  );
  assert.equal(runner.runs.length, 0);
});

Deno.test("POST /chat takes JSON with a charset or a +json type; auth comes before the media type", async () => {
  const { app, runner } = buildTestApp();
  const chat = { prompt: "x", cwd: "/tmp" };
  for (const type of ["application/json; charset=utf-8", "application/vnd.api+json"]) {
    const response = app.request("/chat", chatRequest(chat, { "Content-Type": type }));
    (await runner.nextRun()).end();
    assert.equal((await response).status, 200, type);
    await (await response).text();
  }
  const anonymous = await app.request("/chat", { method: "POST", body: "x" });
  assert.equal(anonymous.status, 401);
});

Deno.test("POST /chat: a body that is not UTF-8 is a 400 saying so", async () => {
  const { app } = buildTestApp();
  const response = await app.request("/chat", {
    method: "POST",
    headers: { ...AUTH, "Content-Type": "application/json" },
    body: new Uint8Array([0x7b, 0xff, 0x7d]),
  });
  assert.equal(response.status, 400);
  assert.deepEqual(await response.json(), {
    error: { code: "invalid_json", message: "request body is not valid UTF-8" },
  });
});
