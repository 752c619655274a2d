import type { ChatRequest } from "../domain/chat_request.ts";
import { buildBwrapArgs } from "./bwrap_args.ts";
import { prepareCliState } from "./cli_state.ts";

/** The bubblewrap sandbox every chat's CLI runs in; see {@link buildBwrapArgs}. */
export interface CliSandbox {
  /** The `bwrap` executable. */
  bwrapPath: string;
  /** The CLI's `HOME`, where `.claude`, its shared entries and `.claude.json` exist. */
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

/** The paths among `mcp_config` and `settings` (each is a file path or inline JSON). */
function requestFiles(request: Pick<ChatRequest, "mcp_config" | "settings">): string[] {
  const values = [
    ...request.mcp_config ?? [],
    ...typeof request.settings === "string" ? [request.settings] : [],
  ];
  return values.filter((value) => value.startsWith("/"));
}

/**
 * The program and arguments that run the CLI for `request` inside the sandbox. The request's paths are
 * bound as they are: the caller passes the real paths the policy checked, so a symlink re-pointed since
 * cannot move the chat. The chat's temporary directory is writable and holds its private `~/.claude`.
 * @param sandbox the sandbox's settings
 * @param cli the CLI executable and its arguments
 * @param request the chat (`cwd`, `add_dir`, `plugin_dir` as real paths)
 * @param tempDir the chat's temporary directory, deleted when it ends
 * @throws when the CLI's real path cannot be found, or its state cannot be listed or copied
 */
export function sandboxedCommand(
  sandbox: CliSandbox,
  cli: { claudePath: string; args: string[] },
  request: Pick<ChatRequest, "cwd" | "add_dir" | "plugin_dir" | "mcp_config" | "settings">,
  tempDir: string,
): { program: string; args: string[] } {
  const args = buildBwrapArgs({
    ...sandbox,
    rwPaths: [...sandbox.rwPaths, tempDir],
    cliState: prepareCliState(sandbox.home, tempDir),
    claudePath: Deno.realPathSync(cli.claudePath),
    args: cli.args,
    cwd: request.cwd,
    addDirs: request.add_dir ?? [],
    pluginDirs: request.plugin_dir ?? [],
    requestFiles: requestFiles(request),
  });
  return { program: sandbox.bwrapPath, args };
}

/**
 * The sandbox's first process (its PID 1, `bwrap`'s child), whose process group holds the CLI and its
 * tools: signals for the CLI go there, since `bwrap` itself passes none on (a signal that ends it ends the
 * whole sandbox at once, without the CLI's own SIGINT handling). The first process ignores all but SIGKILL,
 * as any PID 1 does. Null while `bwrap` has not made it yet, once it has ended, or where the kernel does
 * not list children.
 *
 * Deno reads `/proc` only with every permission, which the server does not have; it may run programs, so
 * `cat` reads the list.
 * @param bwrapPid the pid of `bwrap`
 */
export async function sandboxLeader(bwrapPid: number): Promise<number | null> {
  try {
    const { stdout } = await new Deno.Command("cat", {
      args: [`/proc/${bwrapPid}/task/${bwrapPid}/children`],
      stdin: "null",
      stdout: "piped",
      stderr: "null",
    }).output();
    const first = new TextDecoder().decode(stdout).trim().split(" ")[0];
    return /^\d+$/.test(first) ? Number(first) : null;
  } catch {
    return null;
  }
}
