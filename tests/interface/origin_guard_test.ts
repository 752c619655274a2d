import assert from "node:assert/strict";
import { AUTH, buildDocsApp, buildTestApp, chatRequest, type ErrorJson } from "../support/test_app.ts";

const HOST = "gateway.example:9876";
const OWN = `http://${HOST}`;

async function assertForbiddenOrigin(response: Response, what: string): Promise<void> {
  assert.equal(response.status, 403, what);
  assert.equal(((await response.json()) as ErrorJson).error.code, "forbidden_origin", what);
}

Deno.test("a request from another origin is a 403 forbidden_origin on every protected route", async () => {
  const { app, runner } = buildTestApp();
  const hostile = { Origin: "https://evil.example", Host: HOST };
  const attempts: [string, RequestInit][] = [
    ["/chat", chatRequest({ prompt: "hi" }, hostile)],
    ["/chat/00000000-0000-4000-8000-000000000001", { method: "DELETE", headers: { ...AUTH, ...hostile } }],
    ["/chat/00000000-0000-4000-8000-000000000001/events", { headers: { ...AUTH, ...hostile } }],
    ["/processes", { headers: { ...AUTH, ...hostile } }],
    ["/metrics", { headers: { ...AUTH, ...hostile } }],
  ];
  for (const [path, init] of attempts) {
    await assertForbiddenOrigin(await app.request(path, init), `${init.method ?? "GET"} ${path}`);
  }
  assert.equal(runner.runs.length, 0);
});

Deno.test("a cross-site request without an Origin (a link or form of another site) is a 403", async () => {
  const { app } = buildTestApp();
  const response = await app.request("/processes", { headers: { ...AUTH, "Sec-Fetch-Site": "cross-site" } });
  await assertForbiddenOrigin(response, "Sec-Fetch-Site: cross-site");
});

Deno.test("an Origin of null (a sandboxed frame, a redirect) is a 403", async () => {
  const { app } = buildTestApp();
  await assertForbiddenOrigin(
    await app.request("/processes", { headers: { ...AUTH, Origin: "null" } }),
    "null",
  );
});

Deno.test("the server's own origin, same-site fetches and clients without browser headers pass", async () => {
  const { app } = buildTestApp();
  const allowed: Record<string, string>[] = [
    {},
    { Origin: OWN, Host: HOST, "Sec-Fetch-Site": "same-origin" },
    { "Sec-Fetch-Site": "same-origin" },
    { "Sec-Fetch-Site": "none" },
    { "Sec-Fetch-Site": "same-site" },
  ];
  for (const headers of allowed) {
    const response = await app.request("/processes", { headers: { ...AUTH, ...headers } });
    assert.equal(response.status, 200, JSON.stringify(headers));
  }
});

Deno.test("the own origin matches a Host with the scheme's default port, and no other host or port", async () => {
  const { app } = buildTestApp();
  const status = async (origin: string, host: string) =>
    (await app.request("/processes", { headers: { ...AUTH, Origin: origin, Host: host } })).status;
  assert.equal(await status("https://gw.example.com", "gw.example.com:443"), 200);
  assert.equal(await status("https://gw.example.com", "GW.example.com"), 200);
  assert.equal(await status("https://gw.example.com", "gw.example.com:8443"), 403);
  assert.equal(await status("https://gw.example.com.evil.example", "gw.example.com"), 403);
  assert.equal(await status("https://gw.example.com", "gw.example.com/x"), 403);
});

Deno.test("an origin in CORS_ORIGINS passes even when the browser calls it cross-site", async () => {
  const { app } = buildTestApp({ app: { corsOrigins: ["https://ui.example.com"] } });
  const listed = { Origin: "https://ui.example.com", "Sec-Fetch-Site": "cross-site", Host: HOST };
  assert.equal((await app.request("/processes", { headers: { ...AUTH, ...listed } })).status, 200);
  const other = { ...listed, Origin: "https://ui.example.com.evil.example" };
  await assertForbiddenOrigin(await app.request("/processes", { headers: { ...AUTH, ...other } }), "other");
});

Deno.test("CORS_ORIGINS=* lets any origin through the guard", async () => {
  const { app } = buildTestApp({ app: { corsOrigins: ["*"] } });
  const headers = { ...AUTH, Origin: "https://anywhere.example", "Sec-Fetch-Site": "cross-site" };
  assert.equal((await app.request("/processes", { headers })).status, 200);
});

Deno.test("the origin is checked before the credentials, so a hostile page learns nothing from 401s", async () => {
  const { app } = buildTestApp();
  const response = await app.request("/processes", { headers: { Origin: "https://evil.example" } });
  await assertForbiddenOrigin(response, "no credentials");
});

Deno.test("/health and the docs stay open to any origin", async () => {
  const app = buildDocsApp();
  const hostile = { Origin: "https://evil.example", "Sec-Fetch-Site": "cross-site" };
  for (const path of ["/health", "/openapi.json", "/docs", "/redoc"]) {
    const response = await app.request(path, { headers: hostile });
    assert.equal(response.status, 200, path);
    await response.body?.cancel();
  }
});

Deno.test("a text/plain POST from the server's own origin is still a 415", async () => {
  const { app, runner } = buildTestApp();
  const response = await app.request("/chat", {
    method: "POST",
    headers: { ...AUTH, Origin: OWN, Host: HOST, "Content-Type": "text/plain" },
    body: JSON.stringify({ prompt: "hi" }),
  });
  assert.equal(response.status, 415);
  assert.equal(runner.runs.length, 0);
});
