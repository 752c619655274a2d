import { parseApiKeys } from "./api_keys_file.ts";
import type { Config } from "./config_groups.ts";
import { ConfigSchema, type ConfigVariables } from "./config_schema.ts";

export type { Config } from "./config_groups.ts";

/** How long the gateway waits for the CLI to answer a control request (an interrupt, a settings change). */
const CONTROL_TIMEOUT_MS = 15_000;

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** Resolves a path to its real path, throwing when it does not exist (default `Deno.realPathSync`). */
  realPath?: (path: string) => string;
  /** The request fields `DENIED_FIELDS` may name (the chat request schema's keys); unset: any name. */
  requestFields?: readonly string[];
  /** Reads `AUTH_PASSWORD_FILE` and `API_KEYS_FILE` (default `Deno.readTextFileSync`). */
  readTextFile?: (path: string) => string;
}

/** The configuration is invalid; the message is one line naming the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Validates the environment into a grouped {@link Config}. Empty values count as unset; the roots of
 * `ALLOWED_CWD_ROOTS` are resolved to their real paths, so symlinks cannot lead outside them; the password
 * is read from `AUTH_PASSWORD_FILE` when that is set (its trailing line breaks are not part of it).
 * @param env the variables (the process environment over `.env`)
 * @param options how to resolve real paths and read files
 * @throws {ConfigError} naming the first invalid variable, its value and the problem, a missing root, or an
 * unreadable or empty password file
 */
export function loadConfig(env: Record<string, string | undefined>, options: LoadConfigOptions = {}): Config {
  const variables = parseVariables(env);
  const realPath = options.realPath ?? Deno.realPathSync;
  checkDeniedFields(variables.DENIED_FIELDS, options.requestFields);
  const file = variables.AUTH_PASSWORD_FILE;
  const password = file === undefined
    ? variables.AUTH_PASSWORD ?? null
    : readPasswordFile(file, options.readTextFile ?? Deno.readTextFileSync);
  const apiKeys = [
    ...variables.API_KEYS ?? [],
    ...variables.API_KEYS_FILE === undefined
      ? []
      : readKeysFile(variables.API_KEYS_FILE, options.readTextFile ?? Deno.readTextFileSync),
  ];
  const cache = env.XDG_CACHE_HOME || (env.HOME ? `${env.HOME}/.cache` : "/tmp");
  const scratchRoot = variables.COMPAT_SCRATCH_ROOT ?? `${cache}/claudecode2api/scratch`;
  const resolve = (key: PathListKey) => variables[key]?.map((path) => resolvePath(key, path, realPath));
  return group(variables, {
    allowedRoots: resolve("ALLOWED_CWD_ROOTS") ?? null,
    sandboxRo: resolve("SANDBOX_RO_PATHS") ?? [],
    sandboxRw: resolve("SANDBOX_RW_PATHS") ?? [],
    password,
    apiKeys,
    scratchRoot,
  });
}

/** The keys of `API_KEYS_FILE` (see {@link parseApiKeys}). */
function readKeysFile(path: string, readTextFile: (path: string) => string): string[] {
  const shown = `API_KEYS_FILE=${JSON.stringify(path)}`;
  let text: string;
  try {
    text = readTextFile(path);
  } catch (error) {
    throw new ConfigError(`cannot read ${shown}: ${error instanceof Error ? error.message : String(error)}`);
  }
  const keys = parseApiKeys(text);
  if (typeof keys === "string") throw new ConfigError(`${shown}: ${keys}`);
  return keys;
}

function readPasswordFile(path: string, readTextFile: (path: string) => string): string {
  let text: string;
  try {
    text = readTextFile(path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`cannot read AUTH_PASSWORD_FILE=${JSON.stringify(path)}: ${reason}`);
  }
  const password = text.replace(/(\r?\n)+$/, "");
  if (password === "") throw new ConfigError(`AUTH_PASSWORD_FILE=${JSON.stringify(path)} is empty`);
  return password;
}

/** The variables that list paths, resolved to their real paths at start. */
type PathListKey = "ALLOWED_CWD_ROOTS" | "SANDBOX_RO_PATHS" | "SANDBOX_RW_PATHS";

function parseVariables(env: Record<string, string | undefined>): ConfigVariables {
  const known = Object.keys(ConfigSchema.shape);
  const input = Object.fromEntries(
    known.map((key) => [key, env[key]?.trim() === "" ? undefined : env[key]?.trim()]),
  );
  const parsed = ConfigSchema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const key = String(issue.path[0]);
  const value = input[key];
  const shown = key === "AUTH_PASSWORD"
    ? "(hidden)"
    : value === undefined
    ? "(unset)"
    : JSON.stringify(value);
  throw new ConfigError(`invalid ${key}=${shown}: ${issue.message}`);
}

/** Fields every request needs cannot be denied; with `known` given, every name must be one of them. */
function checkDeniedFields(denied: string[] | undefined, known: readonly string[] | undefined): void {
  for (const field of denied ?? []) {
    if (known !== undefined && !known.includes(field)) {
      throw new ConfigError(`invalid DENIED_FIELDS: "${field}" is not a request field (${known.join(", ")})`);
    }
    if (field === "prompt" || field === "cwd") {
      throw new ConfigError(`invalid DENIED_FIELDS: "${field}" is required in every request`);
    }
  }
}

function resolvePath(key: PathListKey, path: string, realPath: (path: string) => string): string {
  try {
    return realPath(path);
  } catch {
    throw new ConfigError(`invalid ${key}: "${path}" does not exist`);
  }
}

const ms = (seconds: number) => seconds * 1000;

function group(
  v: ConfigVariables,
  paths: {
    allowedRoots: string[] | null;
    sandboxRo: string[];
    sandboxRw: string[];
    password: string | null;
    apiKeys: string[];
    scratchRoot: string;
  },
): Config {
  const { allowedRoots, password } = paths;
  return {
    server: {
      host: v.HOST,
      port: v.PORT,
      maxConnections: v.MAX_CONNECTIONS,
      headerTimeoutMs: ms(v.HEADER_TIMEOUT_S),
    },
    auth: {
      user: v.AUTH_USER,
      password,
      maxFailures: v.AUTH_MAX_FAILURES,
      failureWindowMs: ms(v.AUTH_FAILURE_WINDOW_S),
      apiKeys: paths.apiKeys,
    },
    doors: {
      toolTrace: v.COMPAT_TOOL_TRACE,
      scratchRoot: paths.scratchRoot,
      maxConversations: v.COMPAT_MAX_CONVERSATIONS,
    },
    cli: { path: v.CLAUDE_PATH ?? null, graceMs: ms(v.CANCEL_GRACE_S), killAfterMs: ms(v.KILL_AFTER_S) },
    chat: {
      defaults: { permissionMode: v.DEFAULT_PERMISSION_MODE, model: v.DEFAULT_MODEL ?? null },
      policy: {
        allowedRoots,
        allowedPermissionModes: v.ALLOWED_PERMISSION_MODES ?? null,
        deniedFields: v.DENIED_FIELDS ?? null,
      },
      limits: {
        maxLineBytes: v.MAX_LINE_BYTES,
        maxRunMs: ms(v.MAX_RUN_S),
        idleMs: ms(v.IDLE_TIMEOUT_S),
        inactiveMs: ms(v.INTERACTIVE_IDLE_S),
      },
      interaction: {
        permissionTimeoutMs: ms(v.PERMISSION_TIMEOUT_S),
        controlTimeoutMs: CONTROL_TIMEOUT_MS,
        graceMs: ms(v.CANCEL_GRACE_S),
      },
      maxImageBytes: v.MAX_IMAGE_BYTES,
    },
    slots: { maxConcurrent: v.MAX_CONCURRENT, queueMax: v.QUEUE_MAX, queueTimeoutMs: ms(v.QUEUE_TIMEOUT_S) },
    http: {
      maxBodyBytes: v.MAX_BODY_BYTES,
      keepaliveMs: ms(v.KEEPALIVE_S),
      sendTimeoutMs: ms(v.SEND_TIMEOUT_S),
      corsOrigins: v.CORS_ORIGINS ?? null,
      docsAuth: v.DOCS_AUTH,
      trustedProxies: v.TRUSTED_PROXIES ?? null,
    },
    watch: {
      replayBytes: v.REPLAY_BYTES,
      retainFinishedMs: ms(v.RETAIN_FINISHED_S),
      retainFinishedMax: v.RETAIN_FINISHED_MAX,
      detach: { defaultGraceMs: ms(v.DETACH_GRACE_S), maxGraceMs: ms(v.MAX_DETACH_GRACE_S) },
    },
    sandbox: { mode: v.SANDBOX, roPaths: paths.sandboxRo, rwPaths: paths.sandboxRw },
    warm: { perConfig: v.WARM_POOL, max: v.WARM_POOL_MAX, idleMs: ms(v.WARM_IDLE_S) },
    logLevel: v.LOG_LEVEL,
  };
}
