import type { ChatRequest } from "../domain/chat_request.ts";
import { buildBwrapArgs } from "./bwrap_args.ts";

/** The bubblewrap sandbox every chat's CLI runs in; see {@link buildBwrapArgs}. */
export interface CliSandbox {
  /** The `bwrap` executable. */
  bwrapPath: string;
  /** The CLI's `HOME`, where `.claude` and `.claude.json` exist. */
  home: string;
  /** Directories shown empty (the gateway's own directory); they exist. */
  hiddenDirs: string[];
  /** Files shown empty (the gateway's `.env`); they exist. */
  hiddenFiles: string[];
  /** Extra readable paths (`SANDBOX_RO_PATHS`). */
  roPaths: string[];
  /** Extra writable paths (`SANDBOX_RW_PATHS`). */
  rwPaths: string[];
}

/**
 * The program and arguments that run the CLI for `request` inside the sandbox. The request's paths are
 * bound as they are: the caller passes the real paths the policy checked, so a symlink re-pointed since
 * cannot move the chat.
 * @param sandbox the sandbox's settings
 * @param cli the CLI executable and its arguments
 * @param request the chat (`cwd`, `add_dir`, `plugin_dir` as real paths)
 * @throws when the CLI's real path cannot be found
 */
export function sandboxedCommand(
  sandbox: CliSandbox,
  cli: { claudePath: string; args: string[] },
  request: Pick<ChatRequest, "cwd" | "add_dir" | "plugin_dir">,
): { program: string; args: string[] } {
  const args = buildBwrapArgs({
    ...sandbox,
    claudePath: Deno.realPathSync(cli.claudePath),
    args: cli.args,
    cwd: request.cwd,
    addDirs: request.add_dir ?? [],
    pluginDirs: request.plugin_dir ?? [],
  });
  return { program: sandbox.bwrapPath, args };
}

/**
 * The sandbox's first process (its PID 1, `bwrap`'s child), whose process group holds the CLI and its
 * tools: signals for the CLI go there, since `bwrap` itself passes none on (a signal that ends it ends the
 * whole sandbox at once, without the CLI's own SIGINT handling). The first process ignores all but SIGKILL,
 * as any PID 1 does. Null while `bwrap` has not made it yet (or has ended).
 * @param bwrapPid the pid of `bwrap`
 */
export function sandboxLeader(bwrapPid: number): number | null {
  try {
    const children = Deno.readTextFileSync(`/proc/${bwrapPid}/task/${bwrapPid}/children`).trim();
    const first = Number(children.split(" ")[0]);
    return children !== "" && Number.isInteger(first) ? first : null;
  } catch {
    // A kernel without /proc/<pid>/task/<pid>/children: find the child by its parent.
    return childByParent(bwrapPid);
  }
}

function childByParent(parent: number): number | null {
  try {
    for (const entry of Deno.readDirSync("/proc")) {
      if (!/^\d+$/.test(entry.name)) continue;
      try {
        // The fourth field of stat, after the parenthesised command name, is the parent's pid.
        const stat = Deno.readTextFileSync(`/proc/${entry.name}/stat`);
        if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === parent) return Number(entry.name);
      } catch {
        // gone
      }
    }
  } catch {
    // no /proc
  }
  return null;
}
