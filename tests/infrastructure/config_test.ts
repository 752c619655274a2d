import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../infrastructure/config.ts";
import { ConfigSchema } from "../../infrastructure/config_schema.ts";

const MiB = 1024 * 1024;

/** Loads `env` with every path taken as its own real path, so no real directories are needed. */
function load(env: Record<string, string | undefined>) {
  return loadConfig(env, { realPath: (path) => path });
}

Deno.test("loadConfig() gives every default for an empty environment, grouped, durations in ms", () => {
  assert.deepEqual(loadConfig({}), {
    server: { host: "0.0.0.0", port: 9876, maxConnections: 0, headerTimeoutMs: 0 },
    auth: { user: "admin", password: null, maxFailures: 10, failureWindowMs: 60_000, apiKeys: [] },
    doors: { toolTrace: false, scratchRoot: "/tmp/claudecode2api/scratch", maxConversations: 10_000 },
    cli: { path: null, graceMs: 5000, killAfterMs: 3000 },
    chat: {
      defaults: { permissionMode: "acceptEdits", model: null },
      policy: { allowedRoots: null, allowedPermissionModes: null, deniedFields: null },
      limits: { maxLineBytes: 128 * MiB, maxRunMs: 3_600_000, idleMs: 900_000, inactiveMs: 600_000 },
      interaction: { permissionTimeoutMs: 300_000, controlTimeoutMs: 15_000, graceMs: 5000 },
      maxImageBytes: 5 * MiB,
    },
    slots: { maxConcurrent: 16, queueMax: 64, queueTimeoutMs: 300_000 },
    http: {
      maxBodyBytes: 10 * MiB,
      keepaliveMs: 15_000,
      sendTimeoutMs: 300_000,
      corsOrigins: null,
      docsAuth: false,
      trustedProxies: null,
    },
    watch: {
      replayBytes: 16 * MiB,
      retainFinishedMs: 300_000,
      retainFinishedMax: 100,
      detach: { defaultGraceMs: 0, maxGraceMs: 3_600_000 },
    },
    sandbox: { mode: "off", roPaths: [], rwPaths: [] },
    warm: { perConfig: 0, max: 4, idleMs: 60_000 },
    logLevel: "INFO",
  });
});

Deno.test("loadConfig() parses every variable from its text", () => {
  const config = load({
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
    INTERACTIVE_IDLE_S: "90",
    PERMISSION_TIMEOUT_S: "20",
    MAX_IMAGE_BYTES: "100000",
    KEEPALIVE_S: "0",
    SEND_TIMEOUT_S: "45",
    ALLOWED_CWD_ROOTS: "/work,/srv/repos",
    ALLOWED_PERMISSION_MODES: "plan,default",
    DENIED_FIELDS: "mcp_config, settings",
    DOCS_AUTH: "true",
    CORS_ORIGINS: "https://ui.example.com, http://localhost:3000",
    AUTH_MAX_FAILURES: "5",
    AUTH_FAILURE_WINDOW_S: "300",
    REPLAY_BYTES: "1048576",
    RETAIN_FINISHED_S: "60",
    RETAIN_FINISHED_MAX: "5",
    DETACH_GRACE_S: "30",
    MAX_DETACH_GRACE_S: "600",
    SANDBOX: "bwrap",
    SANDBOX_RO_PATHS: "/home/svc/.ssh, /etc/gitconfig",
    SANDBOX_RW_PATHS: "/var/cache/build",
    API_KEYS: "sk-one-0123456789abcdef, sk-two-0123456789abcdef",
    COMPAT_TOOL_TRACE: "yes",
    COMPAT_SCRATCH_ROOT: "/srv/scratch",
    COMPAT_MAX_CONVERSATIONS: "50",
    WARM_POOL: "2",
    WARM_POOL_MAX: "6",
    WARM_IDLE_S: "30",
  });
  assert.deepEqual(config, {
    server: { host: "127.0.0.1", port: 8080, maxConnections: 0, headerTimeoutMs: 0 },
    auth: {
      user: "ops",
      password: "s3cret",
      maxFailures: 5,
      failureWindowMs: 300_000,
      apiKeys: ["sk-one-0123456789abcdef", "sk-two-0123456789abcdef"],
    },
    doors: { toolTrace: true, scratchRoot: "/srv/scratch", maxConversations: 50 },
    cli: { path: "/opt/claude/bin/claude", graceMs: 2500, killAfterMs: 1000 },
    chat: {
      defaults: { permissionMode: "plan", model: "claude-sonnet-4-5" },
      policy: {
        allowedRoots: ["/work", "/srv/repos"],
        allowedPermissionModes: ["plan", "default"],
        deniedFields: ["mcp_config", "settings"],
      },
      limits: { maxLineBytes: 65536, maxRunMs: 0, idleMs: 120_000, inactiveMs: 90_000 },
      interaction: { permissionTimeoutMs: 20_000, controlTimeoutMs: 15_000, graceMs: 2500 },
      maxImageBytes: 100_000,
    },
    slots: { maxConcurrent: 3, queueMax: 0, queueTimeoutMs: 30_000 },
    http: {
      maxBodyBytes: 2048,
      keepaliveMs: 0,
      sendTimeoutMs: 45_000,
      corsOrigins: ["https://ui.example.com", "http://localhost:3000"],
      docsAuth: true,
      trustedProxies: null,
    },
    watch: {
      replayBytes: MiB,
      retainFinishedMs: 60_000,
      retainFinishedMax: 5,
      detach: { defaultGraceMs: 30_000, maxGraceMs: 600_000 },
    },
    sandbox: { mode: "bwrap", roPaths: ["/home/svc/.ssh", "/etc/gitconfig"], rwPaths: ["/var/cache/build"] },
    warm: { perConfig: 2, max: 6, idleMs: 30_000 },
    logLevel: "DEBUG",
  });
});

Deno.test("loadConfig() accepts the edges of PORT's range", () => {
  assert.equal(loadConfig({ PORT: "0" }).server.port, 0);
  assert.equal(loadConfig({ PORT: "65535" }).server.port, 65535);
});

Deno.test("loadConfig() accepts every log level", () => {
  for (const level of ["DEBUG", "INFO", "WARN", "ERROR"]) {
    assert.equal(loadConfig({ LOG_LEVEL: level }).logLevel, level);
  }
});

Deno.test("loadConfig() reads DOCS_AUTH from true/false, 1/0 and yes/no", () => {
  for (
    const [text, value] of [["true", true], ["1", true], ["yes", true], ["false", false], ["0", false], [
      "no",
      false,
    ]] as const
  ) {
    assert.equal(loadConfig({ DOCS_AUTH: text }).http.docsAuth, value, text);
  }
});

Deno.test("loadConfig() splits lists on commas, trimming items and dropping empty ones", () => {
  const config = load({
    ALLOWED_CWD_ROOTS: " /work , ,/srv ,",
    ALLOWED_PERMISSION_MODES: "acceptEdits, plan,",
  });
  assert.deepEqual(config.chat.policy.allowedRoots, ["/work", "/srv"]);
  assert.deepEqual(config.chat.policy.allowedPermissionModes, ["acceptEdits", "plan"]);
});

Deno.test("loadConfig() trims surrounding whitespace from values", () => {
  const config = loadConfig({ PORT: " 8080 ", LOG_LEVEL: "\tWARN\n", HOST: "  localhost " });
  assert.equal(config.server.port, 8080);
  assert.equal(config.logLevel, "WARN");
  assert.equal(config.server.host, "localhost");
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
  assert.equal(config.auth.password, null);
  assert.equal(config.chat.policy.allowedRoots, null);
});

Deno.test("loadConfig() ignores variables it does not know", () => {
  // HOME counts only as the home of the scratch root (COMPAT_SCRATCH_ROOT).
  assert.deepEqual(
    loadConfig({ PATH: "/usr/bin", HOME: "/root", PORT_NUMBER: "x" }),
    loadConfig({ HOME: "/root" }),
  );
});

Deno.test("loadConfig() accepts a DEFAULT_PERMISSION_MODE inside ALLOWED_PERMISSION_MODES", () => {
  const config = loadConfig({ ALLOWED_PERMISSION_MODES: "plan,default", DEFAULT_PERMISSION_MODE: "default" });
  assert.equal(config.chat.defaults.permissionMode, "default");
});

Deno.test("loadConfig() resolves each ALLOWED_CWD_ROOTS entry to its real path, in order", () => {
  const asked: string[] = [];
  const config = loadConfig({ ALLOWED_CWD_ROOTS: "/link,/srv" }, {
    realPath: (path) => {
      asked.push(path);
      return `/real${path}`;
    },
  });
  assert.deepEqual(asked, ["/link", "/srv"]);
  assert.deepEqual(config.chat.policy.allowedRoots, ["/real/link", "/real/srv"]);
});

Deno.test("loadConfig() rejects an ALLOWED_CWD_ROOTS entry that does not exist, in one line", () => {
  assert.throws(
    () =>
      loadConfig({ ALLOWED_CWD_ROOTS: "/work,/gone" }, {
        realPath: (path) => {
          if (path === "/gone") throw new Deno.errors.NotFound(`No such file or directory: ${path}`);
          return path;
        },
      }),
    (error: unknown) =>
      error instanceof ConfigError && error.message === 'invalid ALLOWED_CWD_ROOTS: "/gone" does not exist',
  );
});

Deno.test("loadConfig() resolves real directories and symlinks with the default realPath", () => {
  const dir = Deno.realPathSync(Deno.makeTempDirSync());
  try {
    Deno.mkdirSync(`${dir}/real`);
    Deno.symlinkSync(`${dir}/real`, `${dir}/link`);
    const config = loadConfig({ ALLOWED_CWD_ROOTS: `${dir}/link,${dir}/real` });
    assert.deepEqual(config.chat.policy.allowedRoots, [`${dir}/real`, `${dir}/real`]);
    assert.throws(
      () => loadConfig({ ALLOWED_CWD_ROOTS: `${dir}/missing` }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message === `invalid ALLOWED_CWD_ROOTS: "${dir}/missing" does not exist`,
    );
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test(".env.example and the README document every variable", async () => {
  const example = await Deno.readTextFile(new URL("../../.env.example", import.meta.url));
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  for (const key of Object.keys(ConfigSchema.shape)) {
    assert.match(example, new RegExp(`^#? ?${key}=`, "m"), `.env.example lacks ${key}`);
    assert.ok(readme.includes(`\`${key}\``), `README lacks ${key}`);
  }
});

Deno.test("loadConfig() puts the scratch root under the cache directory: XDG_CACHE_HOME, else HOME's .cache", () => {
  assert.equal(loadConfig({ HOME: "/home/u" }).doors.scratchRoot, "/home/u/.cache/claudecode2api/scratch");
  assert.equal(
    loadConfig({ HOME: "/home/u", XDG_CACHE_HOME: "/var/cache/u" }).doors.scratchRoot,
    "/var/cache/u/claudecode2api/scratch",
  );
});

Deno.test("loadConfig() reads API_KEYS_FILE (one key a line, comments skipped) after API_KEYS", () => {
  const files: Record<string, string> = {
    "/run/keys": "# the UI\nsk-file-0123456789abcdef\n\n  sk-file-fedcba9876543210  \n",
    "/run/empty": "# nothing\n\n",
    "/run/short": "sk-short\n",
  };
  const readTextFile = (path: string) => {
    if (!(path in files)) throw new Error("No such file or directory");
    return files[path];
  };
  const keys = (env: Record<string, string>) => loadConfig(env, { readTextFile }).auth.apiKeys;
  assert.deepEqual(keys({ API_KEYS: "sk-env-0123456789abcdef", API_KEYS_FILE: "/run/keys" }), [
    "sk-env-0123456789abcdef",
    "sk-file-0123456789abcdef",
    "sk-file-fedcba9876543210",
  ]);
  assert.throws(() => keys({ API_KEYS_FILE: "/run/empty" }), /API_KEYS_FILE="\/run\/empty": holds no key/);
  assert.throws(() => keys({ API_KEYS_FILE: "/run/short" }), /key 1 is shorter than 16 characters/);
  assert.throws(() => keys({ API_KEYS_FILE: "/run/none" }), /cannot read API_KEYS_FILE="\/run\/none"/);
  assert.throws(() => keys({ API_KEYS: "short" }), ConfigError);
});
