import { z } from "@hono/zod-openapi";
import {
  type ChatRequest,
  EFFORT_LEVELS,
  PERMISSION_MODES,
  PERMISSION_PROMPTS,
  SETTING_SOURCES,
} from "../domain/chat_request.ts";
import { ImagesSchema } from "./image_schema.ts";

const noNul = (value: string) => !value.includes("\0");
const NUL_MESSAGE = "must not contain NUL characters";

/**
 * The most bytes one option value may have: Linux refuses a single argument over 128 KiB, and the value
 * shares that with its `--flag=` prefix. (The prompt goes to stdin and has no such limit.)
 */
export const MAX_ARG_BYTES = 128 * 1024 - 64;
const utf8Length = (value: string) => new TextEncoder().encode(value).length;
const fitsArgument = (value: string) => utf8Length(value) <= MAX_ARG_BYTES;
const TOO_LONG_MESSAGE = `is longer than ${MAX_ARG_BYTES} bytes, the most one CLI argument can hold ` +
  "(pass a file path instead where the option takes one)";

/**
 * Whether `value` serialised is surely longer than `limit` bytes, by a lower bound of its length taken
 * without serialising it: it stops as soon as the bound passes `limit`, so a huge value costs no more than
 * a walk over about `limit` of its parts (and no recursion, however deep it nests).
 */
function surelyLongerThan(value: unknown, limit: number): boolean {
  const pending: unknown[] = [value];
  let least = 0;
  while (pending.length > 0 && least <= limit) {
    const item = pending.pop();
    if (typeof item === "string") least += item.length + 2;
    else if (Array.isArray(item)) {
      // "[", then per item a "," or the closing "]".
      least += 1;
      for (let i = 0; i < item.length && least <= limit; i++, least++) pending.push(item[i]);
    } else if (typeof item === "object" && item !== null) {
      // "{", then per entry '"key":' and a "," or the closing "}".
      least += 1;
      for (const key in item) {
        if (least > limit) break;
        least += key.length + 4;
        pending.push(Reflect.get(item, key));
      }
    } else least += 1;
  }
  return least > limit;
}

/** Fits one argument: refused cheaply when surely too long, else measured exactly (it is small then). */
const jsonFitsArgument = (value: unknown) =>
  !surelyLongerThan(value, MAX_ARG_BYTES) && fitsArgument(JSON.stringify(value));

/** A string the CLI can receive as an argument (no NUL byte, within the argument size limit). */
const argText = () => z.string().refine(noNul, NUL_MESSAGE).refine(fitsArgument, TOO_LONG_MESSAGE);
const nonEmpty = () => argText().refine((value) => value.trim() !== "", "must not be empty");
const absolutePath = () => nonEmpty().refine((value) => value.startsWith("/"), "must be an absolute path");
const flag = (cliFlag: string, description: string) =>
  z.boolean().optional().openapi({ description: `${description} CLI: \`${cliFlag}\`.`, example: true });

/**
 * The body of `POST /chat`: the spec's 15 fields plus the pinned CLI's other print-mode options. Its output
 * is checked to be a `ChatRequest` at compile time.
 */
export const ChatRequestSchema = z.strictObject({
  prompt: z.string().refine((value) => value.trim() !== "", "must not be empty").openapi({
    description: "The user prompt. Written to the CLI's stdin, never passed as an argument.",
    example: "Create hello.txt with Hello World",
  }),
  cwd: absolutePath().openapi({
    description: "Working directory of the CLI: an absolute path of an existing directory.",
    example: "/home/user/projects/myapp",
  }),
  model: nonEmpty().optional().openapi({
    description: "Model alias or full name. CLI: `--model=`. Defaults to DEFAULT_MODEL when set.",
    example: "sonnet",
  }),
  session_id: z.uuid().optional().openapi({
    description: "Continue this earlier session (from the `init` line's `session_id`). CLI: `--resume=`.",
    example: "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11",
  }),
  system_prompt: argText().optional().openapi({
    description: "Replace the system prompt. CLI: `--system-prompt=`.",
    example: "You are a terse assistant.",
  }),
  append_system_prompt: argText().optional().openapi({
    description: "Append to the default system prompt. CLI: `--append-system-prompt=`.",
    example: "Answer in English.",
  }),
  tools: z.array(argText()).optional().openapi({
    description: "Built-in tools to make available; `[]` for none. CLI: `--tools=` per item.",
    example: ["Read", "Write"],
  }),
  allowed_tools: z.array(nonEmpty()).optional().openapi({
    description: "Tools allowed without asking. CLI: `--allowed-tools=` per item.",
    example: ["Bash(git *)", "Edit"],
  }),
  disallowed_tools: z.array(nonEmpty()).optional().openapi({
    description: "Tools denied. CLI: `--disallowed-tools=` per item.",
    example: ["WebFetch"],
  }),
  permission_mode: z.enum(PERMISSION_MODES).optional().openapi({
    description: "Permission mode. CLI: `--permission-mode=`. Defaults to DEFAULT_PERMISSION_MODE " +
      "(acceptEdits). The CLI refuses bypassPermissions as root unless IS_SANDBOX=1.",
    example: "acceptEdits",
  }),
  mcp_config: z.array(nonEmpty()).optional().openapi({
    description: "MCP server configs: JSON file paths or JSON strings. CLI: `--mcp-config=` per item.",
    example: ['{"mcpServers":{}}'],
  }),
  add_dir: z.array(absolutePath()).optional().openapi({
    description: "More directories the CLI may access (absolute, existing). CLI: `--add-dir=` per item.",
    example: ["/home/user/shared"],
  }),
  debug: z.union([z.boolean(), nonEmpty()]).optional().openapi({
    description: "Debug mode (`true`) or a category filter. CLI: `--debug` / `--debug=`. " +
      "The CLI writes debug logs to ~/.claude/debug/, not to the stream.",
    example: "api,hooks",
  }),
  json_schema: z.record(z.string(), z.unknown()).refine(jsonFitsArgument, TOO_LONG_MESSAGE).optional()
    .openapi({
      description: "JSON Schema for structured output. CLI: `--json-schema=` (serialised).",
      example: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
    }),
  agents: z.record(z.string(), z.record(z.string(), z.unknown())).refine(jsonFitsArgument, TOO_LONG_MESSAGE)
    .optional().openapi({
      description: "Custom agents by name. CLI: `--agents=` (serialised).",
      example: { reviewer: { description: "Reviews code", prompt: "You are a code reviewer" } },
    }),
  fallback_model: nonEmpty().optional().openapi({
    description:
      "Models to fall back to when the main one is busy (comma-separated). CLI: `--fallback-model=`.",
    example: "haiku",
  }),
  fork_session: flag("--fork-session", "With session_id or continue: continue under a new session id."),
  strict_mcp_config: flag("--strict-mcp-config", "Use only the MCP servers from mcp_config."),
  settings: z.union([
    nonEmpty(),
    z.record(z.string(), z.unknown()).refine(jsonFitsArgument, TOO_LONG_MESSAGE),
  ])
    .optional().openapi({
      description: "Settings file path, JSON string or object. CLI: `--settings=`.",
      example: { env: { FOO: "bar" } },
    }),
  plugin_dir: z.array(absolutePath()).optional().openapi({
    description:
      "Plugin directories or .zip files for this chat (absolute, existing). CLI: `--plugin-dir=` per item.",
    example: ["/home/user/plugins/my-plugin"],
  }),
  max_budget_usd: z.number().positive().optional().openapi({
    description: "Stop after spending this many dollars on API calls. CLI: `--max-budget-usd=`.",
    example: 1.5,
  }),
  effort: z.enum(EFFORT_LEVELS).optional().openapi({
    description: "Effort level. CLI: `--effort=`.",
    example: "high",
  }),
  include_partial_messages: flag(
    "--include-partial-messages",
    "Stream partial message chunks as they arrive.",
  ),
  include_hook_events: flag("--include-hook-events", "Stream hook lifecycle events."),
  setting_sources: z.array(z.enum(SETTING_SOURCES)).optional().openapi({
    description: "Setting sources to load. CLI: `--setting-sources=` (comma-joined).",
    example: ["user", "project"],
  }),
  betas: z.array(nonEmpty()).optional().openapi({
    description: "Beta headers for API requests. CLI: `--betas=` per item.",
    example: ["interleaved-thinking-2025-05-14"],
  }),
  name: nonEmpty().optional().openapi({
    description: "Display name of the session. CLI: `--name=`.",
    example: "ci-run",
  }),
  no_session_persistence: flag("--no-session-persistence", "Do not save the session (it cannot be resumed)."),
  continue: flag(
    "--continue",
    "Continue the most recent conversation in cwd (409 while a running chat continues the same cwd or " +
      "writes its latest session).",
  ),
  agent: nonEmpty().optional().openapi({
    description: "Agent for this session. CLI: `--agent=`.",
    example: "reviewer",
  }),
  disable_slash_commands: flag("--disable-slash-commands", "Disable all skills and slash commands."),
  exclude_dynamic_system_prompt_sections: flag(
    "--exclude-dynamic-system-prompt-sections",
    "Move per-machine sections of the system prompt into the first user message.",
  ),
  detach_grace_s: z.number().min(0).optional().openapi({
    description: "Seconds the chat keeps running after its last client disconnected (default " +
      "DETACH_GRACE_S, at most MAX_DETACH_GRACE_S). Within it, `GET /chat/{process_id}/events` reattaches; " +
      "after it the chat is stopped as on a disconnect. Handled by the gateway, not a CLI option.",
    example: 600,
  }),
  interactive: z.boolean().optional().openapi({
    description: "Keep the chat open after its first answer: `POST /chat/{process_id}/messages` sends " +
      "follow-ups, `/interrupt` stops a turn, `PATCH /chat/{process_id}` changes mode or model; it ends on " +
      "DELETE, after INTERACTIVE_IDLE_S without activity, or at MAX_RUN_S. Its session id is known at once " +
      "(`X-Session-ID`). Handled by the gateway (the CLI's stdin stays open).",
    example: true,
  }),
  images: ImagesSchema.optional(),
  permission_prompt: z.enum(PERMISSION_PROMPTS).optional().openapi({
    description: "`client`: before a tool runs that its permission mode does not allow, the CLI asks the " +
      "client: the stream gets `event: permission_request`, answered with " +
      "`POST /chat/{process_id}/permissions/{request_id}` (denied after PERMISSION_TIMEOUT_S). " +
      "CLI: `--permission-prompt-tool=stdio`.",
    example: "client",
  }),
}).superRefine((request, ctx) => {
  if (request.session_id && request.continue) {
    ctx.addIssue({ code: "custom", path: ["continue"], message: "cannot be combined with session_id" });
  }
  if (request.fork_session && !request.session_id && !request.continue) {
    ctx.addIssue({ code: "custom", path: ["fork_session"], message: "needs session_id or continue" });
  }
}).openapi("ChatRequest", {
  // The spec's own example; "Try it out" starts from it (the per-field examples do not combine).
  example: { prompt: "Create hello.txt with Hello World", cwd: "/home/user/projects/myapp" },
}) satisfies z.ZodType<ChatRequest>;
