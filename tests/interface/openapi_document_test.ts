import assert from "node:assert/strict";
import { Validator } from "npm:@seriousme/openapi-schema-validator@2.11.0";
import { GATEWAY_FIELDS } from "../../domain/chat_request.ts";
import { ChatRequestSchema } from "../../interface/chat_request_schema.ts";
import { fetchOpenApiDocument as openApiDocument } from "../support/test_app.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

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
    "DELETE /sessions/{session_id}",
    "GET /chat/{process_id}",
    "GET /chat/{process_id}/events",
    "GET /chat/{process_id}/permissions",
    "GET /directories",
    "GET /health",
    "GET /metrics",
    "GET /processes",
    "GET /sessions",
    "GET /sessions/{session_id}",
    "GET /v1/models",
    "PATCH /chat/{process_id}",
    "POST /chat",
    "POST /chat/{process_id}/interrupt",
    "POST /chat/{process_id}/messages",
    "POST /chat/{process_id}/permissions/{request_id}",
    "POST /v1/chat/completions",
    "POST /v1/messages",
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
    if (!(GATEWAY_FIELDS as readonly string[]).includes(field)) {
      assert.match(property.description, /CLI: `--/, `${field} names its flag`);
    }
  }
  assert.equal(schema.properties.tools.type, "array");
  assert.equal(schema.properties.session_id.format, "uuid");
  assert.ok(schema.properties.permission_mode.enum.includes("acceptEdits"));
  assert.equal(schema.properties.max_budget_usd.exclusiveMinimum, 0);
  assert.equal(schema.properties.interactive.type, "boolean");
  assert.deepEqual(schema.properties.permission_prompt.enum, ["client"]);
  assert.match(schema.properties.permission_prompt.description, /--permission-prompt-tool=stdio/);
  assert.equal(schema.properties.images.type, "array");
  assert.deepEqual(schema.properties.images.items, { $ref: "#/components/schemas/Image" });
  const image = document.components.schemas.Image;
  assert.deepEqual(image.properties.media_type.enum, ["image/png", "image/jpeg", "image/gif", "image/webp"]);
  assert.deepEqual(image.required.sort(), ["data", "media_type"]);
});

Deno.test("the document describes the interactive routes' bodies and the permission events", async () => {
  const document = await openApiDocument();
  const schemas = document.components.schemas;
  const bodyOf = (path: string, method: string) =>
    document.paths[path][method].requestBody.content["application/json"].schema;
  assert.deepEqual(bodyOf("/chat/{process_id}/messages", "post"), { $ref: "#/components/schemas/FollowUp" });
  assert.deepEqual(Object.keys(schemas.FollowUp.properties).sort(), ["images", "priority", "prompt"]);
  assert.equal(document.paths["/chat/{process_id}/interrupt"].post.requestBody.required, false);
  assert.deepEqual(Object.keys(schemas.PermissionAnswer.properties).sort(), [
    "behavior",
    "interrupt",
    "message",
    "remember",
    "updated_input",
  ]);
  assert.deepEqual(Object.keys(schemas.ChatSettings.properties).sort(), ["model", "permission_mode"]);
  const requestFields = "blocked_path decision_reason description expires_at input request_id " +
    "requires_user_interaction suggestions tool_name tool_use_id";
  assert.deepEqual(Object.keys(schemas.PermissionRequest.properties).sort(), requestFields.split(" "));
  assert.deepEqual(Object.keys(schemas.PermissionResolved.properties).sort(), [
    "by",
    "message",
    "outcome",
    "request_id",
  ]);
  assert.deepEqual(schemas.PermissionResolved.properties.by.enum, ["client", "timeout", "cli", "chat_end"]);
  assert.ok(document.paths["/chat"].post.responses["200"].headers["X-Session-ID"]);
});

Deno.test("the document describes the SSE stream of POST /chat and its X-Process-ID header", async () => {
  const document = await openApiDocument();
  const ok = document.paths["/chat"].post.responses["200"];
  assert.ok(ok.headers["X-Process-ID"]);
  const stream = ok.content["text/event-stream"];
  for (const word of ["`message`", "`error`", "`done`", "keepalive"]) {
    assert.ok(stream.schema.description.includes(word));
  }
  assert.match(stream.examples.success.value, /^id: 1\nevent: message\ndata: \{"type":"system"/);
  assert.match(stream.examples.success.value, /\n: keepalive\n\n/);
  assert.match(stream.examples.failure.value, /id: 2\nevent: error\ndata: \{"process_id":/);
  assert.ok(ok.headers["X-Watch-Token"]);
  const schemas = document.components.schemas;
  const errorFields = ["exit_code", "message", "process_id", "reason", "signal", "stderr"];
  assert.deepEqual(Object.keys(schemas.ChatErrorEvent.properties).sort(), errorFields);
  const doneFields = "cancelled duration_ms exit_code process_id session_id signal stop_reason".split(" ");
  assert.deepEqual(Object.keys(schemas.ChatDoneEvent.properties).sort(), doneFields);
});

Deno.test("every error response has the JSON error shape and an example of its code", async () => {
  const document = await openApiDocument();
  const expected: Record<string, Record<string, string[]>> = {
    "/chat": {
      post: ["400", "401", "403", "409", "413", "415", "422", "429", "500", "503"],
    },
    "/chat/{process_id}": {
      delete: ["401", "403", "404", "429", "500"],
      get: ["401", "403", "404", "429", "500"],
      patch: ["400", "401", "403", "404", "409", "413", "415", "422", "429", "500", "504"],
    },
    "/chat/{process_id}/events": { get: ["401", "403", "404", "422", "429", "500"] },
    "/chat/{process_id}/messages": {
      post: ["400", "401", "403", "404", "409", "413", "415", "422", "429", "500"],
    },
    "/chat/{process_id}/interrupt": {
      post: ["400", "401", "403", "404", "409", "413", "415", "422", "429", "500", "504"],
    },
    "/chat/{process_id}/permissions": { get: ["401", "403", "404", "429", "500"] },
    "/chat/{process_id}/permissions/{request_id}": {
      post: ["400", "401", "403", "404", "409", "413", "415", "422", "429", "500"],
    },
    "/processes": { get: ["401", "403", "429", "500"] },
    "/metrics": { get: ["401", "403", "429", "500"] },
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
      "unsupported_media_type",
      "forbidden_origin",
      "chat_ended",
      "chat_not_started",
      "chat_not_interactive",
      "permission_not_found",
      "permission_resolved",
      "permissions_not_asked",
      "cli_refused",
      "cli_timeout",
    ]
  ) assert.ok(codes.has(code), code);
});

Deno.test("Basic Auth or an API key is the default security and /health is open", async () => {
  const document = await openApiDocument();
  assert.deepEqual(document.components.securitySchemes.basicAuth, {
    type: "http",
    scheme: "basic",
    description: document.components.securitySchemes.basicAuth.description,
  });
  assert.deepEqual(document.security, [{ basicAuth: [] }, { bearerAuth: [] }, { apiKeyHeader: [] }]);
  assert.equal(document.components.securitySchemes.bearerAuth.scheme, "bearer");
  assert.equal(document.components.securitySchemes.apiKeyHeader.name, "x-api-key");
  assert.deepEqual(document.paths["/health"].get.security, []);
  assert.equal(document.paths["/chat"].post.security, undefined);
  assert.equal(
    document.paths["/metrics"].get.responses["200"].content["text/plain; version=0.0.4"].schema.type,
    "string",
  );
});
