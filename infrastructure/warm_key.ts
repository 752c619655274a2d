import type { ChatRequest } from "../domain/chat_request.ts";
import { buildCliArgs } from "./cli_args.ts";

/**
 * Fields whose chats always start cold: a spare starts before its chat is known, so it cannot resume,
 * continue or fork a session, and `new_session_id` (an interactive chat's `--session-id`) is unique per
 * chat, so no spare could have been started with it.
 */
export const COLD_ONLY_FIELDS = ["session_id", "continue", "fork_session", "new_session_id"] as const;

/**
 * The configuration a spare CLI must have been started with to serve `request`: its working directory and
 * every CLI argument, or null when no spare can serve it ({@link COLD_ONLY_FIELDS}). What else shapes a CLI
 * (its environment, the sandbox and its paths) is the runner's and the same for every chat, or follows
 * from the arguments (the sandbox binds `cwd`, `add_dir`, `plugin_dir` and the files `mcp_config` and
 * `settings` name). The prompt, images and the gateway's own fields are not part of it: they reach the CLI
 * later, through stdin, or not at all.
 * @param request a validated request, its paths the real paths the policy checked
 */
export function warmKey(request: ChatRequest): string | null {
  if (COLD_ONLY_FIELDS.some((field) => request[field] !== undefined && request[field] !== false)) return null;
  return JSON.stringify([request.cwd, buildCliArgs(request)]);
}

/**
 * The identity (device and inode) of the directory at `path` now, or null when it cannot be read: a spare
 * runs in the directory it started in, which a directory made since at the same path is not.
 * @param path a directory
 */
export function directoryIdentity(path: string): string | null {
  try {
    const info = Deno.statSync(path);
    return info.ino === null ? null : `${info.dev}:${info.ino}`;
  } catch {
    return null;
  }
}
