import assert from "node:assert/strict";
import { cliEnvironment, HIDDEN_FROM_CLI } from "../../infrastructure/cli_environment.ts";

Deno.test("cliEnvironment() hides the gateway's credentials and the nested Claude Code marker", () => {
  const env = { AUTH_USER: "admin", AUTH_PASSWORD: "secret", CLAUDECODE: "1", PATH: "/bin", HOME: "/root" };
  assert.deepEqual(cliEnvironment(env), { PATH: "/bin", HOME: "/root" });
  assert.deepEqual(HIDDEN_FROM_CLI, ["AUTH_USER", "AUTH_PASSWORD", "CLAUDECODE"]);
});

Deno.test("cliEnvironment() passes every other variable unchanged, the gateway's settings included", () => {
  const env = { PORT: "9876", ANTHROPIC_API_KEY: "k", IS_SANDBOX: "1", AUTH_USERNAME: "x" };
  assert.deepEqual(cliEnvironment(env), env);
});

Deno.test("cliEnvironment() does not change the environment it is given", () => {
  const env = { AUTH_PASSWORD: "secret", PATH: "/bin" };
  cliEnvironment(env);
  assert.deepEqual(env, { AUTH_PASSWORD: "secret", PATH: "/bin" });
});
