import assert from "node:assert/strict";
import { ConfigError, ConfigSchema, loadConfig } from "../../infrastructure/config.ts";

const MiB = 1024 * 1024;

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

Deno.test("loadConfig() gives every default for an empty environment", () => {
  assert.deepEqual(loadConfig({}), {
    HOST: "0.0.0.0",
    PORT: 9876,
    AUTH_USER: "admin",
    AUTH_PASSWORD: undefined,
    CLAUDE_PATH: undefined,
    LOG_LEVEL: "INFO",
    DEFAULT_PERMISSION_MODE: "acceptEdits",
    DEFAULT_MODEL: undefined,
    CANCEL_GRACE_S: 5,
    KILL_AFTER_S: 3,
    MAX_BODY_BYTES: 10 * MiB,
    MAX_LINE_BYTES: 128 * MiB,
    MAX_CONCURRENT: 16,
    QUEUE_MAX: 64,
    QUEUE_TIMEOUT_S: 300,
    MAX_RUN_S: 3600,
    IDLE_TIMEOUT_S: 900,
    KEEPALIVE_S: 15,
    ALLOWED_CWD_ROOTS: undefined,
    ALLOWED_PERMISSION_MODES: undefined,
    DOCS_AUTH: false,
    CORS_ORIGINS: undefined,
    AUTH_MAX_FAILURES: 10,
    AUTH_FAILURE_WINDOW_S: 60,
  });
});

Deno.test("loadConfig() parses every variable from its text", () => {
  const config = loadConfig({
    HOST: "127.0.0.1",
    PORT: "8080",
    AUTH_USER: "ops",
    AUTH_PASSWORD: "s3cret",
    CLAUDE_PATH: "/opt/claude/bin/claude",
    LOG_LEVEL: "DEBUG",
    DEFAULT_PERMISSION_MODE: "plan",
    DEFAULT_MODEL: "claude-sonnet-4-5",
    CANCEL_GRACE_S: "2.5",
    KILL_AFTER_S: "1",
    MAX_BODY_BYTES: "2048",
    MAX_LINE_BYTES: "65536",
    MAX_CONCURRENT: "3",
    QUEUE_MAX: "0",
    QUEUE_TIMEOUT_S: "30",
    MAX_RUN_S: "0",
    IDLE_TIMEOUT_S: "120",
    KEEPALIVE_S: "0",
    ALLOWED_CWD_ROOTS: "/work,/srv/repos",
    ALLOWED_PERMISSION_MODES: "plan,default",
    DOCS_AUTH: "true",
    CORS_ORIGINS: "https://ui.example.com, http://localhost:3000",
    AUTH_MAX_FAILURES: "5",
    AUTH_FAILURE_WINDOW_S: "300",
  });
  assert.deepEqual(config, {
    HOST: "127.0.0.1",
    PORT: 8080,
    AUTH_USER: "ops",
    AUTH_PASSWORD: "s3cret",
    CLAUDE_PATH: "/opt/claude/bin/claude",
    LOG_LEVEL: "DEBUG",
    DEFAULT_PERMISSION_MODE: "plan",
    DEFAULT_MODEL: "claude-sonnet-4-5",
    CANCEL_GRACE_S: 2.5,
    KILL_AFTER_S: 1,
    MAX_BODY_BYTES: 2048,
    MAX_LINE_BYTES: 65536,
    MAX_CONCURRENT: 3,
    QUEUE_MAX: 0,
    QUEUE_TIMEOUT_S: 30,
    MAX_RUN_S: 0,
    IDLE_TIMEOUT_S: 120,
    KEEPALIVE_S: 0,
    ALLOWED_CWD_ROOTS: ["/work", "/srv/repos"],
    ALLOWED_PERMISSION_MODES: ["plan", "default"],
    DOCS_AUTH: true,
    CORS_ORIGINS: ["https://ui.example.com", "http://localhost:3000"],
    AUTH_MAX_FAILURES: 5,
    AUTH_FAILURE_WINDOW_S: 300,
  });
});

Deno.test("loadConfig() accepts the edges of PORT's range", () => {
  assert.equal(loadConfig({ PORT: "0" }).PORT, 0);
  assert.equal(loadConfig({ PORT: "65535" }).PORT, 65535);
});

Deno.test("loadConfig() accepts every log level", () => {
  for (const level of ["DEBUG", "INFO", "WARN", "ERROR"]) {
    assert.equal(loadConfig({ LOG_LEVEL: level }).LOG_LEVEL, level);
  }
});

Deno.test("loadConfig() reads DOCS_AUTH from true/false, 1/0 and yes/no", () => {
  for (
    const [text, value] of [["true", true], ["1", true], ["yes", true], ["false", false], ["0", false], [
      "no",
      false,
    ]] as const
  ) {
    assert.equal(loadConfig({ DOCS_AUTH: text }).DOCS_AUTH, value, text);
  }
});

Deno.test("loadConfig() splits lists on commas, trimming items and dropping empty ones", () => {
  const config = loadConfig({
    ALLOWED_CWD_ROOTS: " /work , ,/srv ,",
    ALLOWED_PERMISSION_MODES: "acceptEdits, plan,",
  });
  assert.deepEqual(config.ALLOWED_CWD_ROOTS, ["/work", "/srv"]);
  assert.deepEqual(config.ALLOWED_PERMISSION_MODES, ["acceptEdits", "plan"]);
});

Deno.test("loadConfig() trims surrounding whitespace from values", () => {
  const config = loadConfig({ PORT: " 8080 ", LOG_LEVEL: "\tWARN\n", HOST: "  localhost " });
  assert.equal(config.PORT, 8080);
  assert.equal(config.LOG_LEVEL, "WARN");
  assert.equal(config.HOST, "localhost");
});

Deno.test("loadConfig() treats empty and blank values as unset", () => {
  const config = loadConfig({
    HOST: "",
    PORT: "",
    AUTH_USER: "",
    AUTH_PASSWORD: "   ",
    CLAUDE_PATH: "",
    LOG_LEVEL: "",
    DEFAULT_PERMISSION_MODE: " ",
    MAX_BODY_BYTES: "",
    ALLOWED_CWD_ROOTS: "",
    ALLOWED_PERMISSION_MODES: "",
    DOCS_AUTH: "",
  });
  assert.deepEqual(config, loadConfig({}));
  assert.equal(config.AUTH_PASSWORD, undefined);
  assert.equal(config.ALLOWED_CWD_ROOTS, undefined);
});

Deno.test("loadConfig() ignores variables it does not know", () => {
  assert.deepEqual(loadConfig({ PATH: "/usr/bin", HOME: "/root", PORT_NUMBER: "x" }), loadConfig({}));
});

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

Deno.test("loadConfig() accepts a DEFAULT_PERMISSION_MODE inside ALLOWED_PERMISSION_MODES", () => {
  const config = loadConfig({ ALLOWED_PERMISSION_MODES: "plan,default", DEFAULT_PERMISSION_MODE: "default" });
  assert.equal(config.DEFAULT_PERMISSION_MODE, "default");
});

Deno.test("loadConfig() rejects a DOCS_AUTH that is not a yes/no word", () => {
  assertNames(configError({ DOCS_AUTH: "maybe" }), "DOCS_AUTH", "maybe");
});

Deno.test("loadConfig() rejects a MAX_BODY_BYTES below 1024", () => {
  assertNames(configError({ MAX_BODY_BYTES: "12" }), "MAX_BODY_BYTES", "12");
  assert.equal(loadConfig({ MAX_BODY_BYTES: "1024" }).MAX_BODY_BYTES, 1024);
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
  assert.deepEqual(loadConfig({ CORS_ORIGINS: "*" }).CORS_ORIGINS, ["*"]);
});

Deno.test(".env.example and the README document every variable", async () => {
  const example = await Deno.readTextFile(new URL("../../.env.example", import.meta.url));
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  for (const key of Object.keys(ConfigSchema.shape)) {
    assert.match(example, new RegExp(`^#? ?${key}=`, "m"), `.env.example lacks ${key}`);
    assert.ok(readme.includes(`\`${key}\``), `README lacks ${key}`);
  }
});
