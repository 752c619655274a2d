import assert from "node:assert/strict";
import { readSse, SseReader } from "../../../testkit/sse_client.ts";
import {
  AUTH,
  buildTestApp,
  chatRequest,
  type ErrorJson,
  fetchOpenApiDocument,
} from "../../support/test_app.ts";

Deno.test("GET /processes lists running chats; DELETE cancels one; the list empties when it ends", async () => {
  const { app, runner } = buildTestApp();
  const sessionId = "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11";
  const response = await app.request(
    "/chat",
    chatRequest({ prompt: "x", cwd: "/work", model: "sonnet", session_id: sessionId }),
  );
  const run = runner.runs[0];
  const reader = new SseReader(response);
  run.write('{"type":"assistant"}\n');
  await reader.next();
  const list = await (await app.request("/processes", { headers: AUTH })).json();
  assert.equal(list.count, 1);
  const [entry] = list.processes;
  assert.equal(entry.process_id, response.headers.get("X-Process-ID"));
  assert.equal(entry.cwd, "/work");
  assert.equal(entry.model, "sonnet");
  assert.equal(entry.session_id, sessionId);
  assert.equal(entry.status, "running");
  assert.match(entry.started_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);

  const cancel = await app.request(`/chat/${entry.process_id}`, { method: "DELETE", headers: AUTH });
  assert.equal(cancel.status, 200);
  assert.deepEqual(await cancel.json(), { status: "cancelled", process_id: entry.process_id });
  assert.equal(run.stops, 1);
  const rest = await reader.rest();
  assert.deepEqual(rest.map((event) => event.event), ["message", "done"]);
  assert.equal(JSON.parse(rest[1].data).cancelled, true);
  const after = await (await app.request("/processes", { headers: AUTH })).json();
  assert.deepEqual(after, { processes: [], count: 0 });
});

Deno.test("DELETE /chat/{id} of an unknown process is a 404 JSON", async () => {
  const { app } = buildTestApp();
  const response = await app.request("/chat/11111111-1111-4111-8111-111111111111", {
    method: "DELETE",
    headers: AUTH,
  });
  assert.equal(response.status, 404);
  assert.equal(((await response.json()) as ErrorJson).error.code, "process_not_found");
});

Deno.test("DELETE cancels a queued chat: its stream ends with done, and its CLI never starts", async () => {
  const { app, runner } = buildTestApp({ maxConcurrent: 1, queueMax: 1 });
  const running = await app.request("/chat", chatRequest({ prompt: "1", cwd: "/tmp" }));
  const queued = await app.request("/chat", chatRequest({ prompt: "2", cwd: "/tmp" }));
  const id = queued.headers.get("X-Process-ID");
  const cancel = await app.request(`/chat/${id}`, { method: "DELETE", headers: AUTH });
  assert.deepEqual(await cancel.json(), { status: "cancelled", process_id: id });
  const events = await readSse(queued);
  assert.deepEqual(events.map((event) => event.event), ["done"]);
  assert.equal(JSON.parse(events[0].data).stop_reason, "cancelled");
  runner.runs[0].end();
  await running.text();
  assert.equal(runner.runs.length, 1);
});

Deno.test("DELETE /chat/{id} takes any id as documented: one that is not a UUID is a 404 too", async () => {
  const { app } = buildTestApp();
  const response = await app.request("/chat/not-a-uuid", { method: "DELETE", headers: AUTH });
  assert.equal(response.status, 404);
  assert.deepEqual(await response.json(), {
    error: { code: "process_not_found", message: 'process "not-a-uuid" is not running' },
  });
  const document = await fetchOpenApiDocument();
  const [param] = document.paths["/chat/{process_id}"].delete.parameters;
  assert.deepEqual([param.name, param.in, param.schema.type, param.schema.format], [
    "process_id",
    "path",
    "string",
    undefined,
  ]);
  assert.match(param.description, /X-Process-ID/);
});
