import type { ChatRequest, GatewayField } from "../domain/chat_request.ts";

/**
 * The fixed start of every command line: print mode, streamed JSON lines in and out, every message. Input
 * is stream-json for every chat, so the gateway can talk to the CLI while it runs (interrupt, permission
 * answers, follow-ups): the prompt is written to stdin as the first user message.
 */
export const BASE_ARGS = [
  "-p",
  "--input-format=stream-json",
  "--output-format=stream-json",
  "--verbose",
] as const;

type Flag = (value: never) => string[];

const text = (flag: string): Flag => (value: string) => [`--${flag}=${value}`];
const each = (flag: string): Flag => (values: string[]) => values.map((value) => `--${flag}=${value}`);
const json = (flag: string): Flag => (value: unknown) => [`--${flag}=${JSON.stringify(value)}`];
const on = (flag: string): Flag => (value: boolean) => value ? [`--${flag}`] : [];

/**
 * How each request field becomes CLI options. Every value is passed as `--flag=value`, one argument, so no
 * value can be read as a flag; the prompt is not here at all (it goes to stdin).
 */
export const FLAG_MAP: { [K in Exclude<keyof ChatRequest, GatewayField>]-?: Flag } = {
  model: text("model"),
  session_id: text("resume"),
  system_prompt: text("system-prompt"),
  append_system_prompt: text("append-system-prompt"),
  // An empty list means "no tools", which the CLI spells as an empty value.
  tools: (values: string[]) => values.length === 0 ? ["--tools="] : each("tools")(values as never),
  allowed_tools: each("allowed-tools"),
  disallowed_tools: each("disallowed-tools"),
  permission_mode: text("permission-mode"),
  mcp_config: each("mcp-config"),
  add_dir: each("add-dir"),
  debug: (value: boolean | string) =>
    value === true ? ["--debug"] : typeof value === "string" ? [`--debug=${value}`] : [],
  json_schema: json("json-schema"),
  agents: json("agents"),
  fallback_model: text("fallback-model"),
  fork_session: on("fork-session"),
  strict_mcp_config: on("strict-mcp-config"),
  settings: (
    value: string | Record<string, unknown>,
  ) => [`--settings=${typeof value === "string" ? value : JSON.stringify(value)}`],
  plugin_dir: each("plugin-dir"),
  max_budget_usd: (value: number) => [`--max-budget-usd=${value}`],
  effort: text("effort"),
  include_partial_messages: on("include-partial-messages"),
  include_hook_events: on("include-hook-events"),
  setting_sources: (values: string[]) => [`--setting-sources=${values.join(",")}`],
  betas: each("betas"),
  name: text("name"),
  no_session_persistence: on("no-session-persistence"),
  continue: on("continue"),
  agent: text("agent"),
  disable_slash_commands: on("disable-slash-commands"),
  exclude_dynamic_system_prompt_sections: on("exclude-dynamic-system-prompt-sections"),
  // The CLI's own prompt tool name for "ask over the control protocol".
  permission_prompt: () => ["--permission-prompt-tool=stdio"],
  new_session_id: text("session-id"),
};

/**
 * The CLI arguments for a chat, after the executable: {@link BASE_ARGS} then one or more options per
 * field that is set, in {@link FLAG_MAP} order.
 * @param request a validated chat request
 */
export function buildCliArgs(request: ChatRequest): string[] {
  const args: string[] = [...BASE_ARGS];
  for (const [field, toArgs] of Object.entries(FLAG_MAP)) {
    const value = request[field as keyof ChatRequest];
    if (value !== undefined) args.push(...(toArgs as (value: unknown) => string[])(value));
  }
  return args;
}
