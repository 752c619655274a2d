import assert from "node:assert/strict";
import { createConsoleLogger } from "../../infrastructure/console_logger.ts";
import { AUTH, buildTestApp, type ErrorJson } from "../support/test_app.ts";

const BAD = { Authorization: `Basic ${btoa("admin:guess")}` };
const peer = (hostname: string) => ({ remoteAddr: { hostname } });

Deno.test("behind a trusted proxy, bad logins of one client do not lock out another", async () => {
  const { app } = buildTestApp({ app: { trustedProxies: ["127.0.0.1"] } });
  const via = (client: string, headers: Record<string, string>) => ({
    headers: { ...headers, "X-Forwarded-For": client },
  });
  for (let i = 0; i < 3; i++) {
    assert.equal((await app.request("/processes", via("203.0.113.1", BAD), peer("127.0.0.1"))).status, 401);
  }
  const throttled = await app.request("/processes", via("203.0.113.1", AUTH), peer("127.0.0.1"));
  assert.equal(throttled.status, 429);
  assert.equal(((await throttled.json()) as ErrorJson).error.code, "too_many_auth_failures");
  assert.equal((await app.request("/processes", via("203.0.113.2", AUTH), peer("127.0.0.1"))).status, 200);
});

Deno.test("X-Forwarded-For from an untrusted peer does not let a client dodge the throttle", async () => {
  const { app } = buildTestApp({ app: { trustedProxies: ["127.0.0.1"] } });
  for (let i = 0; i < 3; i++) {
    const headers = { ...BAD, "X-Forwarded-For": `198.51.100.${i}` };
    assert.equal((await app.request("/processes", { headers }, peer("203.0.113.9"))).status, 401);
  }
  const headers = { ...AUTH, "X-Forwarded-For": "198.51.100.200" };
  assert.equal((await app.request("/processes", { headers }, peer("203.0.113.9"))).status, 429);
});

Deno.test("IPv6 clients are throttled per /64", async () => {
  const { app } = buildTestApp();
  for (let i = 1; i <= 3; i++) {
    assert.equal((await app.request("/processes", { headers: BAD }, peer(`2001:db8:1:2::${i}`))).status, 401);
  }
  assert.equal(
    (await app.request("/processes", { headers: AUTH }, peer("2001:db8:1:2:ffff::9"))).status,
    429,
  );
  assert.equal((await app.request("/processes", { headers: AUTH }, peer("2001:db8:1:3::1"))).status, 200);
});

Deno.test("a flood of refused logins from one address writes one log line per window", async () => {
  const lines: string[] = [];
  const logger = createConsoleLogger("INFO", (line) => lines.push(line));
  const { app } = buildTestApp({ app: { logger } });
  for (let i = 0; i < 200; i++) {
    await (await app.request("/processes", { headers: BAD }, peer("203.0.113.7"))).body?.cancel();
  }
  await (await app.request("/processes", { headers: BAD }, peer("203.0.113.8"))).body?.cancel();
  const refused = lines.filter((line) => line.includes('msg="login refused"'));
  assert.equal(refused.length, 2, refused.join("\n"));
  assert.ok(refused[0].startsWith("level=WARN") && refused[0].includes("address=203.0.113.7"), refused[0]);
  assert.ok(refused[1].includes("address=203.0.113.8"), refused[1]);
});
