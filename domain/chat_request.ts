/** Permission modes the pinned Claude Code CLI accepts for `--permission-mode`. */
export const PERMISSION_MODES = [
  "acceptEdits",
  "auto",
  "bypassPermissions",
  "default",
  "dontAsk",
  "manual",
  "plan",
] as const;

/** One of {@link PERMISSION_MODES}. */
export type PermissionMode = typeof PERMISSION_MODES[number];

/** Effort levels the CLI accepts for `--effort`. */
export const EFFORT_LEVELS = ["low", "medium", "high", "xhigh", "max"] as const;

/** One of {@link EFFORT_LEVELS}. */
export type EffortLevel = typeof EFFORT_LEVELS[number];

/** Setting sources the CLI accepts for `--setting-sources`. */
export const SETTING_SOURCES = ["user", "project", "local"] as const;

/** One of {@link SETTING_SOURCES}. */
export type SettingSource = typeof SETTING_SOURCES[number];

/**
 * A validated request to run one Claude Code chat.
 *
 * Field names follow the HTTP API (snake_case) so the mapping from the wire stays one-to-one;
 * every field but `prompt` and `cwd` is optional and maps to one CLI option.
 */
export interface ChatRequest {
  prompt: string;
  cwd: string;
  model?: string;
  session_id?: string;
  system_prompt?: string;
  append_system_prompt?: string;
  tools?: string[];
  allowed_tools?: string[];
  disallowed_tools?: string[];
  permission_mode?: PermissionMode;
  mcp_config?: string[];
  add_dir?: string[];
  debug?: boolean | string;
  json_schema?: Record<string, unknown>;
  agents?: Record<string, unknown>;
  fallback_model?: string;
  fork_session?: boolean;
  strict_mcp_config?: boolean;
  settings?: string | Record<string, unknown>;
  plugin_dir?: string[];
  max_budget_usd?: number;
  effort?: EffortLevel;
  include_partial_messages?: boolean;
  include_hook_events?: boolean;
  setting_sources?: SettingSource[];
  betas?: string[];
  name?: string;
  no_session_persistence?: boolean;
  continue?: boolean;
  agent?: string;
  disable_slash_commands?: boolean;
  exclude_dynamic_system_prompt_sections?: boolean;
  /** Seconds the chat keeps running once its last watcher left (the gateway's, not a CLI option). */
  detach_grace_s?: number;
}

/** Request fields the gateway handles itself: none becomes a CLI option. */
export const GATEWAY_FIELDS = ["prompt", "cwd", "detach_grace_s"] as const;

/** One of {@link GATEWAY_FIELDS}. */
export type GatewayField = typeof GATEWAY_FIELDS[number];
