import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../infrastructure/config.ts";
import { createClientAddress } from "../../interface/client_address.ts";
import { withTempDir } from "./with_temp_dir.ts";

function configError(env: Record<string, string>, readTextFile?: (path: string) => string): ConfigError {
  try {
    loadConfig(env, { readTextFile });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    assert.equal(error.message.includes("\n"), false, error.message);
    return error;
  }
  assert.fail(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

Deno.test("loadConfig() reads TRUSTED_PROXIES as IPv4 and IPv6 addresses and networks", () => {
  const proxies = "127.0.0.1, 10.0.0.0/8, ::1, fd00::/8";
  const config = loadConfig({ TRUSTED_PROXIES: proxies });
  assert.deepEqual(config.http.trustedProxies, ["127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"]);
  // The app takes every value the configuration accepts.
  createClientAddress({ trustedProxies: config.http.trustedProxies });
});

Deno.test("loadConfig() rejects a TRUSTED_PROXIES entry that is not an address or network", () => {
  for (const bad of ["proxy.local", "10.0.0.0/33", "10.0.0.300", "fd00::/200"]) {
    const error = configError({ TRUSTED_PROXIES: `127.0.0.1,${bad}` });
    assert.match(error.message, /^invalid TRUSTED_PROXIES=/, bad);
  }
});

Deno.test("loadConfig() reads the password from AUTH_PASSWORD_FILE without its trailing newline", () => {
  withTempDir("claudecode2api-config-edge-", (dir) => {
    for (const [text, expected] of [["s3cret\n", "s3cret"], ["s3cret", "s3cret"], [" a b \r\n\n", " a b "]]) {
      Deno.writeTextFileSync(`${dir}/password`, text);
      assert.equal(loadConfig({ AUTH_PASSWORD_FILE: `${dir}/password` }).auth.password, expected);
    }
  });
});

Deno.test("loadConfig() refuses an unreadable or empty AUTH_PASSWORD_FILE in one line", () => {
  const missing = configError({ AUTH_PASSWORD_FILE: "/nonexistent/password" });
  assert.match(missing.message, /^cannot read AUTH_PASSWORD_FILE="\/nonexistent\/password": /);
  const empty = configError({ AUTH_PASSWORD_FILE: "/run/credentials/password" }, () => "\n");
  assert.equal(empty.message, 'AUTH_PASSWORD_FILE="/run/credentials/password" is empty');
});

Deno.test("loadConfig() refuses AUTH_PASSWORD and AUTH_PASSWORD_FILE together, without showing either", () => {
  const error = configError({ AUTH_PASSWORD: "visible?", AUTH_PASSWORD_FILE: "/p" }, () => "x");
  assert.match(error.message, /AUTH_PASSWORD_FILE.*not both/);
  assert.equal(error.message.includes("visible?"), false, error.message);
});
