import { z } from "zod";
import { LOG_LEVELS } from "../application/logger.ts";
import { PERMISSION_MODES } from "../domain/chat_request.ts";
import { SANDBOX_MODES } from "../domain/sandbox_mode.ts";

const MiB = 1024 * 1024;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const seconds = (max: number) => z.coerce.number().min(0).max(max);
const list = <T>(item: z.ZodType<T, string>) =>
  z.string().transform((value) => value.split(",").map((part) => part.trim()).filter((part) => part !== ""))
    .pipe(z.array(item).min(1));
const flag = z.enum(["true", "false", "1", "0", "yes", "no"]).transform((value) =>
  ["true", "1", "yes"].includes(value)
);

const absolutePaths = list(z.string().startsWith("/", "must be absolute paths"));

/** Every variable, as read from the environment (`.env` merged under it); durations in seconds. */
export const ConfigSchema = z.object({
  HOST: z.string().min(1).default("0.0.0.0"),
  PORT: int(0, 65535).default(9876),
  MAX_CONNECTIONS: int(0, 1_000_000).default(0),
  HEADER_TIMEOUT_S: seconds(3600).default(0),
  AUTH_USER: z.string().min(1).regex(/^[^:]*$/, "must not contain ':'").default("admin"),
  AUTH_PASSWORD: z.string().min(1).optional(),
  AUTH_PASSWORD_FILE: z.string().min(1).optional(),
  TRUSTED_PROXIES: list(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()], "must be addresses or CIDRs"))
    .optional(),
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
  INTERACTIVE_IDLE_S: seconds(7 * 86_400).default(600),
  PERMISSION_TIMEOUT_S: seconds(86_400).default(300),
  MAX_IMAGE_BYTES: int(1024, 64 * MiB).default(5 * MiB),
  KEEPALIVE_S: seconds(3600).default(15),
  SEND_TIMEOUT_S: seconds(86_400).default(300),
  ALLOWED_CWD_ROOTS: absolutePaths.optional(),
  ALLOWED_PERMISSION_MODES: list(z.enum(PERMISSION_MODES)).optional(),
  DENIED_FIELDS: list(z.string().regex(/^[a-z_]+$/, "must be request field names like mcp_config"))
    .optional(),
  DOCS_AUTH: flag.default(false),
  CORS_ORIGINS: list(
    z.string().regex(/^(\*|https?:\/\/[^/\s]+)$/, "must be * or origins like https://app.example.com"),
  )
    .optional(),
  AUTH_MAX_FAILURES: int(1, 1_000_000).default(10),
  AUTH_FAILURE_WINDOW_S: seconds(86_400).default(60),
  REPLAY_BYTES: int(64 * 1024, 1024 * MiB).default(16 * MiB),
  RETAIN_FINISHED_S: seconds(7 * 86_400).default(300),
  RETAIN_FINISHED_MAX: int(0, 1_000_000).default(100),
  DETACH_GRACE_S: seconds(7 * 86_400).default(0),
  MAX_DETACH_GRACE_S: seconds(7 * 86_400).default(3600),
  API_KEYS: list(z.string().min(16, "must be keys of 16 characters or more")).optional(),
  API_KEYS_FILE: z.string().min(1).optional(),
  COMPAT_TOOL_TRACE: flag.default(false),
  COMPAT_SCRATCH_ROOT: z.string().startsWith("/", "must be an absolute path").optional(),
  COMPAT_MAX_CONVERSATIONS: int(1, 10_000_000).default(10_000),
  SANDBOX: z.enum(SANDBOX_MODES).default("off"),
  SANDBOX_RO_PATHS: absolutePaths.optional(),
  SANDBOX_RW_PATHS: absolutePaths.optional(),
  WARM_POOL: int(0, 100).default(0),
  WARM_POOL_MAX: int(0, 1000).default(4),
  WARM_IDLE_S: seconds(86_400).default(60),
}).superRefine((config, ctx) => {
  if (config.WARM_POOL > config.WARM_POOL_MAX) {
    ctx.addIssue({
      code: "custom",
      path: ["WARM_POOL"],
      message: `is more than WARM_POOL_MAX (${config.WARM_POOL_MAX})`,
    });
  }
  if (config.AUTH_PASSWORD !== undefined && config.AUTH_PASSWORD_FILE !== undefined) {
    ctx.addIssue({
      code: "custom",
      path: ["AUTH_PASSWORD_FILE"],
      message: "set it or AUTH_PASSWORD, not both",
    });
  }
  if (config.DETACH_GRACE_S > config.MAX_DETACH_GRACE_S) {
    ctx.addIssue({
      code: "custom",
      path: ["DETACH_GRACE_S"],
      message: `is more than MAX_DETACH_GRACE_S (${config.MAX_DETACH_GRACE_S})`,
    });
  }
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

/** The variables after validation, flat and named as in the environment. */
export type ConfigVariables = z.infer<typeof ConfigSchema>;
