import assert from "node:assert/strict";
import { registerConsole } from "../../interface/console.ts";
import { AUTH, buildTestApp } from "../support/test_app.ts";

const app = () => buildTestApp({ app: { console: registerConsole } }).app;

Deno.test("/ui is behind Basic Auth, with a CSP that allows only this server and nothing inline", async () => {
  const console = app();
  for (const path of ["/ui", "/ui/console.js", "/ui/console.css"]) {
    const refused = await console.request(path);
    assert.equal(refused.status, 401, path);
    assert.match(refused.headers.get("WWW-Authenticate") ?? "", /^Basic/);
    await refused.body?.cancel();
  }
  const page = await console.request("/ui", { headers: AUTH });
  assert.equal(page.status, 200);
  assert.equal(page.headers.get("Content-Type"), "text/html; charset=utf-8");
  const csp = page.headers.get("Content-Security-Policy") ?? "";
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /style-src 'self'(;|$)/);
  assert.match(csp, /frame-ancestors 'none'/);
  const html = await page.text();
  assert.ok(html.includes('src="ui/console.js"') && html.includes('href="ui/console.css"'));
  assert.doesNotMatch(html, /https?:\/\//, "the page names no other host");
  assert.doesNotMatch(html, /<script>|style=/, "nothing inline");
});

Deno.test("/ui serves its bundle and style sheet with their types and ETags; anything else is a 404", async () => {
  const console = app();
  for (
    const [path, type] of [["/ui/console.js", /^text\/javascript/], [
      "/ui/console.css",
      /^text\/css/,
    ]] as const
  ) {
    const response = await console.request(path, { headers: AUTH });
    assert.equal(response.status, 200, path);
    assert.match(response.headers.get("Content-Type") ?? "", type);
    const body = await response.text();
    assert.ok(body.length > 1000, path);
    assert.doesNotMatch(body, /sourceMappingURL/);
    const etag = response.headers.get("ETag")!;
    const again = await console.request(path, { headers: { ...AUTH, "If-None-Match": etag } });
    assert.equal(again.status, 304);
  }
  const js = await (await console.request("/ui/console.js", { headers: AUTH })).text();
  assert.doesNotMatch(
    js,
    /https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.[a-z]{2,}\/[^"'\s]*\.(js|css)\b/i,
    "no script or style from elsewhere",
  );
  const unknown = await console.request("/ui/secret.txt", { headers: AUTH });
  assert.equal(unknown.status, 404);
  await unknown.body?.cancel();
  const slash = await console.request("/ui/", { headers: AUTH });
  assert.equal(slash.status, 301);
});
