import type { CliStateView } from "./cli_state.ts";

/** What one sandboxed CLI run may see and write, all as real (symlink-free) absolute paths. */
export interface BwrapPlan {
  /** The CLI executable (its real path: a symlink's target may lie in a hidden directory). */
  claudePath: string;
  /** The CLI's arguments. */
  args: string[];
  /** The chat's working directory, as the policy checked it: writable, and where the CLI starts. */
  cwd: string;
  /** The chat's `add_dir` directories, as checked: writable. */
  addDirs: string[];
  /** The chat's `plugin_dir` paths, as checked: readable (they may lie under the private `/tmp`). */
  pluginDirs: string[];
  /**
   * Files the request names by path (`mcp_config`, `settings`): readable, when they exist (they may lie
   * under the private `/tmp`); the hidden paths still win.
   */
  requestFiles: string[];
  /** The CLI's `HOME`, where `.claude` and `.claude.json` exist (as mount points). */
  home: string;
  /** The chat's own view of the CLI's state in `HOME` (see `cli_state.ts`). */
  cliState: CliStateView;
  /** Directories to show empty (the gateway's own directory). They must exist. */
  hiddenDirs: string[];
  /** Files to show empty (the gateway's `.env`, a password file). They must exist. */
  hiddenFiles: string[];
  /** More paths the operator makes readable (`SANDBOX_RO_PATHS`). */
  roPaths: string[];
  /** More paths the operator makes writable (`SANDBOX_RW_PATHS`). */
  rwPaths: string[];
}

const bind = (flag: string) => (path: string) => [flag, path, path];

/**
 * The chat's private `~/.claude` and `~/.claude.json`, then the real `~/.claude`'s shared entries writable
 * and the others read-only, on top. Sources are host paths (bwrap binds from the old root), and the mount
 * points land in the private directory. `-try`: an entry removed since it was listed is skipped.
 */
function cliStateMounts(home: string, view: CliStateView): string[] {
  const entry = (name: string) => `${home}/.claude/${name}`;
  return [
    ...["--bind", view.dir, `${home}/.claude`, "--bind", view.config, `${home}/.claude.json`],
    ...view.readOnly.map(entry).flatMap(bind("--ro-bind-try")),
    ...view.shared.map(entry).flatMap(bind("--bind-try")),
  ];
}

/**
 * The arguments of `bwrap` that run the CLI confined: the host's root read-only, a fresh `/dev`, `/proc`
 * and `/tmp`; writable only the chat's directories, its private view of the CLI's state (where only the
 * sessions' state reaches the host) and the operator's extra paths; the
 * gateway's own files hidden; new PID and IPC namespaces, so no tool sees the gateway's processes and
 * everything the chat started (a `setsid` escape included) dies with the sandbox's first process;
 * `--die-with-parent`, so the sandbox dies with its `bwrap`; `--new-session`, so no tool reaches a terminal.
 *
 * Later mounts cover earlier ones, so the order says who wins: the request's paths come before the hidden
 * ones (a request cannot uncover the gateway's directory by naming a parent of it as `cwd`), the operator's
 * own (the CLI, its state, the extra paths) after them.
 * @param plan the paths and the CLI invocation
 * @returns the arguments for `bwrap`, ending with `-- <claude> <args...>`
 */
export function buildBwrapArgs(plan: BwrapPlan): string[] {
  const home = plan.home.replace(/\/+$/, "");
  return [
    ...["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"],
    ...[plan.cwd, ...plan.addDirs].flatMap(bind("--bind")),
    ...plan.pluginDirs.flatMap(bind("--ro-bind")),
    ...plan.requestFiles.flatMap(bind("--ro-bind-try")),
    ...plan.hiddenDirs.flatMap((dir) => ["--tmpfs", dir]),
    ...plan.hiddenFiles.flatMap((file) => ["--ro-bind", "/dev/null", file]),
    ...bind("--ro-bind")(plan.claudePath),
    ...cliStateMounts(home, plan.cliState),
    ...plan.roPaths.flatMap(bind("--ro-bind")),
    ...plan.rwPaths.flatMap(bind("--bind")),
    ...["--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session"],
    ...["--chdir", plan.cwd, "--", plan.claudePath, ...plan.args],
  ];
}
