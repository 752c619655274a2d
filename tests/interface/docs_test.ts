import assert from "node:assert/strict";
import { Validator } from "npm:@seriousme/openapi-schema-validator@2.11.0";
import type { z } from "@hono/zod-openapi";
import type { ChatDoneData, ChatErrorData } from "../../domain/chat_event.ts";
import { registerDocs } from "../../interface/docs.ts";
import { ChatDoneEventSchema, ChatErrorEventSchema } from "../../interface/openapi_routes.ts";
import { ChatRequestSchema } from "../../interface/schemas.ts";
import { AUTH, buildTestApp } from "../support/test_app.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

function docsApp(docsAuth = false) {
  return buildTestApp({ app: { docs: registerDocs, docsAuth } }).app;
}

async function openApiDocument(): Promise<Json> {
  const response = await docsApp().request("/openapi.json");
  assert.equal(response.status, 200);
  assert.match(response.headers.get("Content-Type") ?? "", /^application\/json/);
  return await response.json();
}

// The SSE event schemas are documentation only; these make `deno check` fail when they drift from the types.
type Assignable<From, To> = [From] extends [To] ? true : false;
const errorEventFits: Assignable<z.infer<typeof ChatErrorEventSchema>, ChatErrorData> = true;
const doneEventFits: Assignable<z.infer<typeof ChatDoneEventSchema>, ChatDoneData> = true;
const doneDataFits: Assignable<ChatDoneData, z.infer<typeof ChatDoneEventSchema>> = true;

Deno.test("GET /openapi.json serves a valid OpenAPI 3.1 document", async () => {
  const document = await openApiDocument();
  assert.equal(document.openapi, "3.1.0");
  const validator = new Validator();
  const result = await validator.validate(document);
  assert.deepEqual(result.errors ?? [], []);
  assert.equal(result.valid, true);
  assert.equal(validator.version, "3.1");
});

Deno.test("the document lists every endpoint with its method", async () => {
  const document = await openApiDocument();
  const operations = Object.entries(document.paths as Record<string, Record<string, unknown>>)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`)).sort();
  assert.deepEqual(operations, [
    "DELETE /chat/{process_id}",
    "GET /health",
    "GET /metrics",
    "GET /processes",
    "POST /chat",
  ]);
});

Deno.test("the ChatRequest schema in the document has every field the validator knows, with types and flags", async () => {
  const document = await openApiDocument();
  const body = document.paths["/chat"].post.requestBody;
  assert.equal(body.required, true);
  assert.deepEqual(body.content["application/json"].schema, { $ref: "#/components/schemas/ChatRequest" });
  const schema = document.components.schemas.ChatRequest;
  assert.deepEqual(Object.keys(schema.properties).sort(), Object.keys(ChatRequestSchema.shape).sort());
  assert.deepEqual(schema.required.sort(), ["cwd", "prompt"]);
  assert.equal(schema.additionalProperties, false);
  for (const [field, property] of Object.entries(schema.properties as Record<string, Json>)) {
    assert.ok(property.description, `${field} has a description`);
    assert.ok(property.example !== undefined, `${field} has an example`);
    if (!["prompt", "cwd"].includes(field)) {
      assert.match(property.description, /CLI: `--/, `${field} names its flag`);
    }
  }
  assert.equal(schema.properties.tools.type, "array");
  assert.equal(schema.properties.session_id.format, "uuid");
  assert.ok(schema.properties.permission_mode.enum.includes("acceptEdits"));
  assert.equal(schema.properties.max_budget_usd.exclusiveMinimum, 0);
});

Deno.test("the document describes the SSE stream of POST /chat and its X-Process-ID header", async () => {
  assert.ok(errorEventFits && doneEventFits && doneDataFits);
  const document = await openApiDocument();
  const ok = document.paths["/chat"].post.responses["200"];
  assert.ok(ok.headers["X-Process-ID"]);
  const stream = ok.content["text/event-stream"];
  for (const word of ["`message`", "`error`", "`done`", "keepalive"]) {
    assert.ok(stream.schema.description.includes(word));
  }
  assert.match(stream.examples.success.value, /^event: message\ndata: \{"type":"system"/);
  assert.match(stream.examples.success.value, /\n: keepalive\n\n/);
  assert.match(stream.examples.failure.value, /event: error\ndata: \{"process_id":/);
  const schemas = document.components.schemas;
  assert.deepEqual(Object.keys(schemas.ChatErrorEvent.properties).sort(), [
    "exit_code",
    "message",
    "process_id",
    "reason",
    "signal",
    "stderr",
  ]);
  assert.deepEqual(Object.keys(schemas.ChatDoneEvent.properties).sort(), [
    "cancelled",
    "duration_ms",
    "exit_code",
    "process_id",
    "session_id",
    "signal",
    "stop_reason",
  ]);
});

Deno.test("every error response has the JSON error shape and an example of its code", async () => {
  const document = await openApiDocument();
  const expected: Record<string, Record<string, string[]>> = {
    "/chat": {
      post: ["400", "401", "403", "409", "413", "422", "429", "500", "503"],
    },
    "/chat/{process_id}": { delete: ["401", "404", "429", "500"] },
    "/processes": { get: ["401", "429", "500"] },
    "/metrics": { get: ["401", "429", "500"] },
  };
  const codes = new Set<string>();
  for (const [path, methods] of Object.entries(expected)) {
    for (const [method, statuses] of Object.entries(methods)) {
      const responses = document.paths[path][method].responses;
      assert.deepEqual(
        Object.keys(responses).filter((status) => status >= "400").sort(),
        statuses,
        `${method} ${path}`,
      );
      for (const status of statuses) {
        const content = responses[status].content["application/json"];
        assert.deepEqual(content.schema, { $ref: "#/components/schemas/Error" });
        for (const [code, example] of Object.entries(content.examples as Record<string, Json>)) {
          assert.equal(example.value.error.code, code);
          codes.add(code);
        }
      }
      if (statuses.includes("429")) {
        assert.ok(responses["429"].headers["Retry-After"], `${method} ${path} Retry-After`);
      }
    }
  }
  for (
    const code of [
      "invalid_json",
      "unauthorized",
      "forbidden",
      "process_not_found",
      "session_busy",
      "payload_too_large",
      "validation_error",
      "capacity_exhausted",
      "too_many_auth_failures",
      "cli_unavailable",
    ]
  ) assert.ok(codes.has(code), code);
});

Deno.test("Basic Auth is the default security and /health is open", async () => {
  const document = await openApiDocument();
  assert.deepEqual(document.components.securitySchemes.basicAuth, {
    type: "http",
    scheme: "basic",
    description: document.components.securitySchemes.basicAuth.description,
  });
  assert.deepEqual(document.security, [{ basicAuth: [] }]);
  assert.deepEqual(document.paths["/health"].get.security, []);
  assert.equal(document.paths["/chat"].post.security, undefined);
  assert.equal(
    document.paths["/metrics"].get.responses["200"].content["text/plain; version=0.0.4"].schema.type,
    "string",
  );
});

const PAGES: [string, string[]][] = [
  ["/docs", ["docs/swagger-ui.css", "docs/swagger-ui-bundle.js", "docs/swagger-initializer.js"]],
  ["/redoc", ["redoc/redoc.standalone.js", "redoc/redoc-initializer.js"]],
];

const ASSETS: [string, RegExp][] = [
  ["/docs/swagger-ui-bundle.js", /^text\/javascript/],
  ["/docs/swagger-ui.css", /^text\/css/],
  ["/docs/index.css", /^text\/css/],
  ["/docs/swagger-initializer.js", /^text\/javascript/],
  ["/redoc/redoc.standalone.js", /^text\/javascript/],
  ["/redoc/redoc-initializer.js", /^text\/javascript/],
];

Deno.test("/docs and /redoc are HTML pages that load only their own assets", async () => {
  const app = docsApp();
  for (const [path, assets] of PAGES) {
    const response = await app.request(path);
    assert.equal(response.status, 200, path);
    assert.equal(response.headers.get("Content-Type"), "text/html; charset=utf-8");
    assert.match(response.headers.get("Content-Security-Policy") ?? "", /default-src 'none'/);
    const html = await response.text();
    for (const asset of assets) assert.ok(html.includes(`"${asset}"`), `${path} loads ${asset}`);
    assert.doesNotMatch(html, /https?:\/\//, `${path} names no other host`);
  }
});

Deno.test("the docs assets are served from the npm packages with their content types", async () => {
  const app = docsApp();
  for (const [path, type] of ASSETS) {
    const response = await app.request(path);
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get("Content-Type") ?? "", type, path);
    assert.equal(response.headers.get("Cache-Control"), "public, max-age=86400", path);
    const body = new Uint8Array(await response.arrayBuffer());
    assert.ok(body.length > 0, path);
    if (type.source.startsWith("^text")) {
      const text = new TextDecoder().decode(body);
      assert.doesNotMatch(text, /sourceMappingURL=\S+\.map\s*$/, `${path} has no source map comment`);
      assert.ok(!text.includes("cdn.redoc.ly"), `${path} loads nothing from cdn.redoc.ly`);
      assert.ok(!text.includes("fonts.googleapis.com"), `${path} loads no Google Fonts`);
    }
  }
  const bundle = await (await app.request("/docs/swagger-ui-bundle.js")).text();
  assert.ok(bundle.length > 500_000, "the real Swagger UI bundle");
  assert.match(await (await app.request("/docs/swagger-initializer.js")).text(), /validatorUrl: null/);
});

Deno.test("a docs asset answers 304 to a matching If-None-Match", async () => {
  const app = docsApp();
  const first = await app.request("/redoc/redoc-initializer.js");
  const etag = first.headers.get("ETag");
  await first.body?.cancel();
  assert.ok(etag);
  const second = await app.request("/redoc/redoc-initializer.js", { headers: { "If-None-Match": etag } });
  assert.equal(second.status, 304);
  assert.equal(await second.text(), "");
});

Deno.test("an unknown docs asset is a JSON 404", async () => {
  const response = await docsApp().request("/docs/swagger-ui.js.map");
  assert.equal(response.status, 404);
  assert.equal((await response.json()).error.code, "not_found");
});

Deno.test("/docs/ redirects to /docs so the pages' relative URLs resolve", async () => {
  const response = await docsApp().request("/docs/");
  assert.equal(response.status, 301);
  assert.equal(response.headers.get("Location"), "../docs");
});

Deno.test("with DOCS_AUTH the document, pages and assets need Basic Auth; /health stays open", async () => {
  const app = docsApp(true);
  for (
    const path of [
      "/openapi.json",
      "/docs",
      "/docs/swagger-ui-bundle.js",
      "/redoc",
      "/redoc/redoc.standalone.js",
    ]
  ) {
    const denied = await app.request(path);
    assert.equal(denied.status, 401, path);
    assert.match(denied.headers.get("WWW-Authenticate") ?? "", /^Basic /);
    assert.equal((await denied.json()).error.code, "unauthorized");
    const allowed = await app.request(path, { headers: AUTH });
    assert.equal(allowed.status, 200, path);
    if (path.endsWith(".js")) assert.equal(allowed.headers.get("Cache-Control"), "private, max-age=86400");
    await allowed.body?.cancel();
  }
  assert.equal((await app.request("/health")).status, 200);
});

Deno.test("without DOCS_AUTH the docs are open but the API is not", async () => {
  const app = docsApp(false);
  for (const path of ["/openapi.json", "/docs", "/redoc"]) {
    const response = await app.request(path);
    assert.equal(response.status, 200, path);
    await response.body?.cancel();
  }
  assert.equal((await app.request("/processes")).status, 401);
});
