import assert from "node:assert/strict";
import { AUTH, buildDocsApp as docsApp } from "../support/test_app.ts";

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
