import assert from "node:assert/strict";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { CapacityError } from "../../domain/errors.ts";
import { errorResponse } from "../../interface/error_response.ts";

function appThrowing(error: unknown): Hono {
  const app = new Hono();
  app.get("/", () => {
    throw error;
  });
  app.onError((thrown, c) => errorResponse(c, thrown) ?? c.json({ unexpected: true }, 500));
  return app;
}

Deno.test("errorResponse() answers Hono's own HTTPExceptions in the JSON error shape, never as plain text", async () => {
  const response = await appThrowing(new HTTPException(415, { message: "Unsupported Media Type" }))
    .request("/");
  assert.equal(response.status, 415);
  assert.deepEqual(await response.json(), {
    error: { code: "unsupported_media_type", message: "Unsupported Media Type" },
  });
  const bare = await appThrowing(new HTTPException(418)).request("/");
  assert.equal(bare.status, 418);
  assert.deepEqual(await bare.json(), { error: { code: "http_error", message: "HTTP 418" } });
});

Deno.test("errorResponse() maps a domain error to its status, with Retry-After for capacity", async () => {
  const response = await appThrowing(new CapacityError(7, "all slots are busy")).request("/");
  assert.equal(response.status, 429);
  assert.equal(response.headers.get("Retry-After"), "7");
  assert.deepEqual(await response.json(), {
    error: { code: "capacity_exhausted", message: "all slots are busy" },
  });
});

Deno.test("errorResponse() leaves any other error to the caller", async () => {
  const response = await appThrowing(new Error("boom")).request("/");
  assert.deepEqual(await response.json(), { unexpected: true });
});
