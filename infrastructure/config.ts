import { z } from "zod";
import { LOG_LEVELS } from "../application/logger.ts";
import { PERMISSION_MODES } from "../domain/chat_request.ts";

const MiB = 1024 * 1024;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const seconds = (max: number) => z.coerce.number().min(0).max(max);
const list = <T>(item: z.ZodType<T, string>) =>
  z.string().transform((value) => value.split(",").map((part) => part.trim()).filter((part) => part !== ""))
    .pipe(z.array(item).min(1));
const flag = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((value) =>
  ["true", "1", "yes"].includes(value)
);

/** Every setting, read from the environment (`.env` merged under it). */
export const ConfigSchema = z.object({
  HOST: z.string().min(1).default("0.0.0.0"),
  PORT: int(0, 65535).default(9876),
  AUTH_USER: z.string().min(1).regex(/^[^:]*$/, "must not contain ':'").default("admin"),
  AUTH_PASSWORD: z.string().min(1).optional(),
  CLAUDE_PATH: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("INFO"),
  DEFAULT_PERMISSION_MODE: z.enum(PERMISSION_MODES).default("acceptEdits"),
  DEFAULT_MODEL: z.string().min(1).optional(),
  CANCEL_GRACE_S: seconds(600).default(5),
  KILL_AFTER_S: seconds(600).default(3),
  MAX_BODY_BYTES: int(1024, 1024 * MiB).default(10 * MiB),
  MAX_LINE_BYTES: int(64 * 1024, 2048 * MiB).default(128 * MiB),
  MAX_CONCURRENT: int(1, 10_000).default(16),
  QUEUE_MAX: int(0, 100_000).default(64),
  QUEUE_TIMEOUT_S: seconds(86_400).default(300),
  MAX_RUN_S: seconds(7 * 86_400).default(3600),
  IDLE_TIMEOUT_S: seconds(86_400).default(900),
  KEEPALIVE_S: seconds(3600).default(15),
  ALLOWED_CWD_ROOTS: list(z.string().startsWith("/", "must be absolute paths")).optional(),
  ALLOWED_PERMISSION_MODES: list(z.enum(PERMISSION_MODES)).optional(),
  DOCS_AUTH: flag.default(false),
  CORS_ORIGINS: list(
    z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, "must be * or origins like https://app.example.com"),
  )
    .optional(),
  AUTH_MAX_FAILURES: int(1, 1_000_000).default(10),
  AUTH_FAILURE_WINDOW_S: seconds(86_400).default(60),
}).superRefine((config, ctx) => {
  const allowed = config.ALLOWED_PERMISSION_MODES;
  if (allowed && !allowed.includes(config.DEFAULT_PERMISSION_MODE)) {
    ctx.addIssue({
      code: "custom",
      path: ["DEFAULT_PERMISSION_MODE"],
      message: `"${config.DEFAULT_PERMISSION_MODE}" is not in ALLOWED_PERMISSION_MODES (${
        allowed.join(",")
      })`,
    });
  }
});

/** The validated configuration. */
export type Config = z.infer<typeof ConfigSchema>;

/** The configuration is invalid; the message is one line naming the variable. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/**
 * Validates the environment into a {@link Config}. Empty values count as unset.
 * @param env the variables (the process environment over `.env`)
 * @throws {ConfigError} naming the first invalid variable, its value and the problem
 */
export function loadConfig(env: Record<string, string | undefined>): Config {
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
