import assert from "node:assert/strict";
import { ConfigError } from "../../infrastructure/config.ts";
import { readEnv } from "../../infrastructure/read_env.ts";
import { withTempDir } from "./with_temp_dir.ts";

Deno.test("readEnv() merges .env under the real variables", () => {
  withTempDir("read_env_test_", (dir) => {
    Deno.writeTextFileSync(`${dir}/.env`, "PORT=1234\nHOST=from-file\n");
    assert.deepEqual(readEnv(`${dir}/.env`, { HOST: "real", PATH: "/bin" }), {
      PORT: "1234",
      HOST: "real",
      PATH: "/bin",
    });
  });
});

Deno.test("readEnv() takes a missing .env as empty", () => {
  withTempDir("read_env_test_", (dir) => {
    assert.deepEqual(readEnv(`${dir}/.env`, { PORT: "1" }), { PORT: "1" });
  });
});

Deno.test("readEnv() turns an unreadable .env into a one-line ConfigError", () => {
  withTempDir("read_env_test_", (dir) => {
    Deno.mkdirSync(`${dir}/.env`);
    assert.throws(
      () => readEnv(`${dir}/.env`, {}),
      (error: unknown) =>
        error instanceof ConfigError && error.message.startsWith("cannot use .env: ") &&
        !error.message.includes("\n"),
    );
  });
});

Deno.test("readEnv() turns a line that is not KEY=value into a ConfigError naming the line", () => {
  withTempDir("read_env_test_", (dir) => {
    Deno.writeTextFileSync(`${dir}/.env`, "PORT=1234\nthis is not a variable\n");
    assert.throws(
      () => readEnv(`${dir}/.env`, {}),
      (error: unknown) =>
        error instanceof ConfigError &&
        /^cannot use \.env: \.env line 2 is not KEY=value/.test(error.message),
    );
  });
});
