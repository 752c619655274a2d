import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../infrastructure/config.ts";

Deno.test("loadConfig() resolves SANDBOX_RO_PATHS and SANDBOX_RW_PATHS to their real paths", () => {
  const config = loadConfig({ SANDBOX: "bwrap", SANDBOX_RO_PATHS: "/link", SANDBOX_RW_PATHS: "/a,/b" }, {
    realPath: (path) => `/real${path}`,
  });
  assert.deepEqual(config.sandbox, {
    mode: "bwrap",
    roPaths: ["/real/link"],
    rwPaths: ["/real/a", "/real/b"],
  });
});

Deno.test("loadConfig() rejects an unknown SANDBOX, a relative sandbox path and a missing one, in one line", () => {
  const realPath = (path: string) => {
    if (path === "/gone") throw new Deno.errors.NotFound(path);
    return path;
  };
  const cases: [Record<string, string>, string][] = [
    [{ SANDBOX: "docker" }, 'invalid SANDBOX="docker"'],
    [{ SANDBOX_RO_PATHS: "home/.ssh" }, 'invalid SANDBOX_RO_PATHS="home/.ssh": must be absolute paths'],
    [{ SANDBOX_RW_PATHS: "/work,/gone" }, 'invalid SANDBOX_RW_PATHS: "/gone" does not exist'],
  ];
  for (const [env, message] of cases) {
    assert.throws(
      () => loadConfig(env, { realPath }),
      (error: unknown) => error instanceof ConfigError && error.message.startsWith(message),
      message,
    );
  }
});
