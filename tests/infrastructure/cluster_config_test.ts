import assert from "node:assert/strict";
import { ClusterConfigSchema, loadClusterConfig } from "../../infrastructure/cluster_config.ts";
import { ConfigError } from "../../infrastructure/config.ts";

Deno.test("loadClusterConfig() without REDIS_URL is a single gateway, with the defaults", () => {
  assert.deepEqual(loadClusterConfig({}), { redisUrl: null, nodeId: null, ttlMs: 5000, sessions: "shared" });
  assert.deepEqual(loadClusterConfig({ REDIS_URL: " ", NODE_ID: "" }), {
    redisUrl: null,
    nodeId: null,
    ttlMs: 5000,
    sessions: "shared",
  });
});

Deno.test("loadClusterConfig() reads REDIS_URL, NODE_ID, NODE_TTL_S and CLUSTER_SESSIONS", () => {
  assert.deepEqual(
    loadClusterConfig({
      REDIS_URL: "redis://10.0.0.5:6379/2",
      NODE_ID: "gw-1.eu:9876",
      NODE_TTL_S: "2.5",
      CLUSTER_SESSIONS: "local",
    }),
    { redisUrl: "redis://10.0.0.5:6379/2", nodeId: "gw-1.eu:9876", ttlMs: 2500, sessions: "local" },
  );
});

Deno.test("loadClusterConfig() names the bad variable in one line, and never shows REDIS_URL's value", () => {
  assert.throws(() => loadClusterConfig({ REDIS_URL: "http://user:secret@host" }), (error: Error) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message, "invalid REDIS_URL=(hidden): must be a URL like redis://127.0.0.1:6379");
    return true;
  });
  assert.throws(() => loadClusterConfig({ NODE_ID: "a b" }), /^ConfigError: invalid NODE_ID="a b": must be/);
  assert.throws(() => loadClusterConfig({ NODE_TTL_S: "0" }), /invalid NODE_TTL_S="0"/);
});

Deno.test(".env.example and the README document every cluster variable", async () => {
  const example = await Deno.readTextFile(new URL("../../.env.example", import.meta.url));
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  for (const key of Object.keys(ClusterConfigSchema.shape)) {
    assert.match(example, new RegExp(`^#? ?${key}=`, "m"), `.env.example lacks ${key}`);
    assert.ok(readme.includes(`\`${key}\``), `README lacks ${key}`);
  }
});
