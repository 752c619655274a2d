/**
 * How the CLI's user configuration and state (`~/.claude`, `~/.claude.json`) look inside the sandbox, so
 * that no chat can configure another: measured with Claude Code 2.1.328 (SECURITY.md, "SANDBOX=bwrap").
 *
 * Each chat gets its own `~/.claude`, a directory in its temporary directory, and its own copy of
 * `~/.claude.json` (user-scope `mcpServers`, per-project settings) bound over the real one. Into that private
 * directory the operator's entries are bound: the session state every chat must share (transcripts for
 * `resume`) writable, the rest (settings, CLAUDE.md, agents, commands, skills, plugins, hooks, ...) read-only,
 * and the CLI's per-run caches not at all. What a chat writes anywhere else in `~/.claude` (a new
 * `settings.json`, an agent file) lands in its private directory and is gone with it; the mount points bwrap
 * makes for the binds are made there too, never in the operator's `~/.claude`.
 *
 * @module
 */

/**
 * Entries of `~/.claude` shared with the host and writable: the sessions' own state, which `resume` reads
 * back, also in a later chat or a gateway run without the sandbox, and the debug logs the `debug` field asks
 * for. They are made at start when missing.
 * `.credentials.json` (a login the CLI refreshes and stores back) is shared when it exists.
 */
export const SHARED_CLI_STATE = ["projects", "todos", "tasks", "plans", "file-history", "debug"];

/** The login file, shared writable when it exists: the CLI stores a refreshed (rotated) token back there. */
const CREDENTIALS = ".credentials.json";

/**
 * Entries of `~/.claude` the CLI writes for one run only (caches, backups of `~/.claude.json`, shell snapshots it sources before
 * each Bash command, hook environment files): not shown, so each chat starts with none and nothing it
 * writes there reaches another chat.
 */
export const PRIVATE_CLI_STATE = [
  "backups",
  "cache",
  "history.jsonl",
  "ide",
  "jobs",
  "paste-cache",
  "image-cache",
  "session-env",
  "sessions",
  "shell-snapshots",
  "startup-perf",
  "statsig",
  "stats-cache.json",
  "telemetry",
  "usage-data",
  ".last-cleanup",
  "mcp-needs-auth-cache.json",
];

/** One chat's view of the CLI's state, as {@link buildBwrapArgs} mounts it. */
export interface CliStateView {
  /** The chat's own directory, shown as `~/.claude` (writable, private, deleted with the chat). */
  dir: string;
  /** The chat's own copy of `~/.claude.json`, shown in its place (writable, private). */
  config: string;
  /** Entries of the real `~/.claude` shown writable ({@link SHARED_CLI_STATE}, a login file). */
  shared: string[];
  /** Entries of the real `~/.claude` shown read-only: everything else that is not per-run state. */
  readOnly: string[];
}

/**
 * Which of the entries of the real `~/.claude` a chat sees, and how. Unknown entries are read-only: new
 * kinds of configuration stay out of a chat's reach, and a file a hook of the operator's needs stays there.
 * @param entries the names in `~/.claude`
 */
export function classifyCliState(entries: string[]): Pick<CliStateView, "shared" | "readOnly"> {
  const sorted = [...entries].sort();
  const isShared = (name: string) => SHARED_CLI_STATE.includes(name) || name === CREDENTIALS;
  return {
    shared: sorted.filter(isShared),
    readOnly: sorted.filter((name) => !isShared(name) && !PRIVATE_CLI_STATE.includes(name)),
  };
}

/**
 * Makes one chat's private `~/.claude` and `~/.claude.json` in `tempDir` (a copy of the real config file, or
 * `{}`) and lists what of the real `~/.claude` it sees.
 * @param home the CLI's `HOME`
 * @param tempDir the chat's temporary directory (deleted when the chat ends)
 */
export function prepareCliState(home: string, tempDir: string): CliStateView {
  const dir = `${tempDir}/cli-state/.claude`;
  const config = `${tempDir}/cli-state/.claude.json`;
  Deno.mkdirSync(dir, { recursive: true });
  try {
    Deno.copyFileSync(`${home}/.claude.json`, config);
  } catch {
    Deno.writeTextFileSync(config, "{}");
  }
  const entries = [...Deno.readDirSync(`${home}/.claude`)].map((entry) => entry.name);
  return { dir, config, ...classifyCliState(entries) };
}
