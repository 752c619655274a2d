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

/** Image types a chat accepts (what the Messages API takes). */
export const IMAGE_MEDIA_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"] as const;

/** One of {@link IMAGE_MEDIA_TYPES}. */
export type ImageMediaType = typeof IMAGE_MEDIA_TYPES[number];

/** An image sent with a prompt: base64 data of the given type. */
export interface ChatImage {
  media_type: ImageMediaType;
  /** Standard base64 (no data: prefix). */
  data: string;
}

/** Who answers the CLI's permission prompts: `client` (over HTTP; `--permission-prompt-tool=stdio`). */
export const PERMISSION_PROMPTS = ["client"] as const;

/** One of {@link PERMISSION_PROMPTS}. */
export type PermissionPrompt = typeof PERMISSION_PROMPTS[number];

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
  /** Keeps the chat open for follow-ups, interrupts and settings changes (the gateway's). */
  interactive?: boolean;
  /** Images sent with the prompt, in the first user message (the gateway's). */
  images?: ChatImage[];
  /** `client`: the CLI asks the client (through the gateway) before a tool runs. */
  permission_prompt?: PermissionPrompt;
  /**
   * The id of the new session the chat writes, chosen by the gateway (never from the wire) so it is known
   * before the CLI speaks.
   */
  new_session_id?: string;
}

/** Request fields the gateway handles itself: none becomes a CLI option. */
export const GATEWAY_FIELDS = ["prompt", "cwd", "detach_grace_s", "interactive", "images"] as const;

/** One of {@link GATEWAY_FIELDS}. */
export type GatewayField = typeof GATEWAY_FIELDS[number];
