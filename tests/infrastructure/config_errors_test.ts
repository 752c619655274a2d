import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../infrastructure/config.ts";

/** The ConfigError `loadConfig(env)` throws. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error;
  }
  assert.fail(`loadConfig(${JSON.stringify(env)}) did not throw`);
}

/** Asserts the error is one line naming `variable` and its `value`. */
function assertNames(error: ConfigError, variable: string, value: string): void {
  assert.equal(error.name, "ConfigError");
  assert.equal(error.message.includes("\n"), false, error.message);
  assert.ok(error.message.includes(variable), error.message);
  assert.ok(error.message.includes(`${variable}=${JSON.stringify(value)}`), error.message);
}

Deno.test("loadConfig() rejects a PORT that is not a number", () => {
  assertNames(configError({ PORT: "abc" }), "PORT", "abc");
});

Deno.test("loadConfig() rejects a PORT above 65535", () => {
  assertNames(configError({ PORT: "70000" }), "PORT", "70000");
});

Deno.test("loadConfig() rejects a negative or fractional PORT", () => {
  assertNames(configError({ PORT: "-1" }), "PORT", "-1");
  assertNames(configError({ PORT: "80.5" }), "PORT", "80.5");
});

Deno.test("loadConfig() rejects an unknown LOG_LEVEL", () => {
  assertNames(configError({ LOG_LEVEL: "LOUD" }), "LOG_LEVEL", "LOUD");
});

Deno.test("loadConfig() rejects an unknown DEFAULT_PERMISSION_MODE", () => {
  assertNames(configError({ DEFAULT_PERMISSION_MODE: "yolo" }), "DEFAULT_PERMISSION_MODE", "yolo");
});

Deno.test("loadConfig() rejects a relative path in ALLOWED_CWD_ROOTS", () => {
  const error = configError({ ALLOWED_CWD_ROOTS: "relative" });
  assertNames(error, "ALLOWED_CWD_ROOTS", "relative");
  assert.match(error.message, /absolute/);
  assertNames(configError({ ALLOWED_CWD_ROOTS: "/work,relative" }), "ALLOWED_CWD_ROOTS", "/work,relative");
});

Deno.test("loadConfig() rejects an ALLOWED_CWD_ROOTS with only commas", () => {
  assertNames(configError({ ALLOWED_CWD_ROOTS: ",," }), "ALLOWED_CWD_ROOTS", ",,");
});

Deno.test("loadConfig() rejects an unknown mode in ALLOWED_PERMISSION_MODES", () => {
  assertNames(
    configError({ ALLOWED_PERMISSION_MODES: "acceptEdits,yolo", DEFAULT_PERMISSION_MODE: "acceptEdits" }),
    "ALLOWED_PERMISSION_MODES",
    "acceptEdits,yolo",
  );
});

Deno.test("loadConfig() rejects a DEFAULT_PERMISSION_MODE outside ALLOWED_PERMISSION_MODES", () => {
  const error = configError({
    ALLOWED_PERMISSION_MODES: "plan,default",
    DEFAULT_PERMISSION_MODE: "bypassPermissions",
  });
  assertNames(error, "DEFAULT_PERMISSION_MODE", "bypassPermissions");
  assert.ok(error.message.includes("ALLOWED_PERMISSION_MODES"), error.message);
  assert.ok(error.message.includes("plan,default"), error.message);
});

Deno.test("loadConfig() rejects the default permission mode when ALLOWED_PERMISSION_MODES leaves it out", () => {
  const error = configError({ ALLOWED_PERMISSION_MODES: "plan,default" });
  assert.equal(error.message.includes("\n"), false, error.message);
  assert.ok(error.message.includes("DEFAULT_PERMISSION_MODE"), error.message);
  assert.ok(error.message.includes('"acceptEdits"'), error.message);
  assert.ok(error.message.includes("plan,default"), error.message);
});

Deno.test("loadConfig() shows an unset DEFAULT_PERMISSION_MODE as (unset), not undefined", () => {
  const error = configError({ ALLOWED_PERMISSION_MODES: "plan,default" });
  assert.equal(error.message.includes("undefined"), false, error.message);
  assert.ok(error.message.includes("DEFAULT_PERMISSION_MODE=(unset)"), error.message);
});

Deno.test("loadConfig() rejects a DOCS_AUTH that is not a yes/no word", () => {
  assertNames(configError({ DOCS_AUTH: "maybe" }), "DOCS_AUTH", "maybe");
});

Deno.test("loadConfig() rejects a MAX_BODY_BYTES below 1024", () => {
  assertNames(configError({ MAX_BODY_BYTES: "12" }), "MAX_BODY_BYTES", "12");
  assert.equal(loadConfig({ MAX_BODY_BYTES: "1024" }).http.maxBodyBytes, 1024);
});

Deno.test("loadConfig() rejects out-of-range limits and timeouts", () => {
  assertNames(configError({ MAX_LINE_BYTES: "1000" }), "MAX_LINE_BYTES", "1000");
  assertNames(configError({ MAX_CONCURRENT: "0" }), "MAX_CONCURRENT", "0");
  assertNames(configError({ QUEUE_MAX: "-1" }), "QUEUE_MAX", "-1");
  assertNames(configError({ CANCEL_GRACE_S: "-1" }), "CANCEL_GRACE_S", "-1");
  assertNames(configError({ KILL_AFTER_S: "601" }), "KILL_AFTER_S", "601");
  assertNames(configError({ KEEPALIVE_S: "soon" }), "KEEPALIVE_S", "soon");
  assertNames(configError({ AUTH_MAX_FAILURES: "0" }), "AUTH_MAX_FAILURES", "0");
  assertNames(configError({ AUTH_FAILURE_WINDOW_S: "x" }), "AUTH_FAILURE_WINDOW_S", "x");
});

Deno.test("loadConfig() rejects an AUTH_USER containing ':'", () => {
  const error = configError({ AUTH_USER: "ad:min" });
  assertNames(error, "AUTH_USER", "ad:min");
  assert.ok(error.message.includes("':'"), error.message);
});

Deno.test("loadConfig() keeps the message on one line when the value has a newline", () => {
  const error = configError({ LOG_LEVEL: "LOUD\nAND\r\nCLEAR" });
  assert.equal(/[\r\n]/.test(error.message), false, error.message);
  assert.ok(error.message.includes("LOG_LEVEL"), error.message);
});

Deno.test("loadConfig() never shows AUTH_PASSWORD in an error message", () => {
  const password = "hunter2-Very-Secret";
  for (
    const env of [
      { AUTH_PASSWORD: password, PORT: "abc" },
      { AUTH_PASSWORD: password, AUTH_USER: "a:b" },
      { AUTH_PASSWORD: password, ALLOWED_PERMISSION_MODES: "plan" },
    ]
  ) {
    const error = configError(env);
    assert.equal(error.message.includes(password), false, error.message);
    assert.equal(error.message.includes("AUTH_PASSWORD"), false, error.message);
  }
});

Deno.test("ConfigError is an Error named ConfigError", () => {
  const error = new ConfigError("invalid PORT");
  assert.ok(error instanceof Error);
  assert.equal(error.name, "ConfigError");
  assert.equal(error.message, "invalid PORT");
});

Deno.test("loadConfig() refuses a CORS origin that is not * or scheme://host", () => {
  assert.throws(
    () => loadConfig({ CORS_ORIGINS: "ui.example.com" }),
    /invalid CORS_ORIGINS="ui.example.com"/,
  );
  assert.deepEqual(loadConfig({ CORS_ORIGINS: "*" }).http.corsOrigins, ["*"]);
});

Deno.test("loadConfig() refuses a DETACH_GRACE_S above MAX_DETACH_GRACE_S, naming both", () => {
  assert.throws(
    () => loadConfig({ DETACH_GRACE_S: "700", MAX_DETACH_GRACE_S: "600" }),
    (error: Error) =>
      error instanceof ConfigError &&
      error.message === 'invalid DETACH_GRACE_S="700": is more than MAX_DETACH_GRACE_S (600)',
  );
});
