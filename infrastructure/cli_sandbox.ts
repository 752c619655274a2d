import type { CliSandbox } from "./bwrap_command.ts";
import { probeBwrap, type ProbeBwrapOptions } from "./bwrap_probe.ts";
import { SHARED_CLI_STATE } from "./cli_state.ts";
import { type Config, ConfigError } from "./config.ts";

/** Where the gateway lives, as {@link createCliSandbox} hides it. */
export interface GatewayFiles {
  /** The CLI's `HOME` (the gateway's own). */
  home: string | undefined;
  /**
   * The gateway's own directories (where `main.ts` is, the server's working directory): shown empty to the
   * CLI, except `/` and any that holds `HOME` (that would hide the chats' usual directories).
   */
  gatewayDirs: string[];
  /** Files shown empty to the CLI when they exist (the `.env` the gateway read, a password file). */
  secretFiles: string[];
}

function realPathOrNull(path: string): string | null {
  try {
    return Deno.realPathSync(path);
  } catch {
    return null;
  }
}

function isFile(path: string): boolean {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}

/**
 * Makes `$HOME/.claude`, its shared entries (the CLI makes them itself when it first needs them) and
 * `$HOME/.claude.json` when missing: a bind mount needs something to cover, and a shared entry that is
 * missing would leave the chat's sessions in its private directory, lost for `resume`.
 */
function ensureCliState(home: string): void {
  try {
    for (const name of SHARED_CLI_STATE) Deno.mkdirSync(`${home}/.claude/${name}`, { recursive: true });
    Deno.writeTextFileSync(`${home}/.claude.json`, "{}", { createNew: true });
  } catch (error) {
    if (error instanceof Deno.errors.AlreadyExists) return;
    throw new ConfigError(
      `SANDBOX=bwrap needs ${home}/.claude and ${home}/.claude.json (run \`claude\` once, or create them): ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
}

/**
 * The sandbox of every chat's CLI under `SANDBOX=bwrap` (null under `off`), after checking that bubblewrap
 * works and the CLI's state is there. Paths are resolved to their real paths once, at start: bind mounts follow them.
 * @param sandbox the `sandbox` group of the configuration
 * @param files where the gateway's `HOME`, directory and secrets are
 * @param probe where to look for `bwrap`
 * @throws {ConfigError} bubblewrap is missing or cannot make a sandbox here, `HOME` is unset, or the CLI's
 *   state is missing and cannot be made
 */
export function createCliSandbox(
  sandbox: Config["sandbox"],
  files: GatewayFiles,
  probe: ProbeBwrapOptions = {},
): CliSandbox | null {
  if (sandbox.mode === "off") return null;
  const bwrapPath = probeBwrap(probe);
  if (!files.home) {
    throw new ConfigError("SANDBOX=bwrap needs HOME: the CLI keeps its state under $HOME/.claude");
  }
  const shared = SHARED_CLI_STATE.map((name) => `${files.home}/.claude/${name}`);
  if (!isFile(`${files.home}/.claude.json`) || !shared.every(isDirectory)) ensureCliState(files.home);
  const home = realPathOrNull(files.home) ?? files.home;
  const holdsHome = (dir: string) => dir === "/" || `${home}/`.startsWith(`${dir}/`);
  const dirs = files.gatewayDirs.map(realPathOrNull).filter((dir) => dir !== null).filter((dir) =>
    !holdsHome(dir)
  );
  const secrets = files.secretFiles.map(realPathOrNull).filter((path) => path !== null);
  return {
    bwrapPath,
    home: files.home,
    hiddenDirs: [...new Set(dirs)],
    hiddenFiles: [...new Set(secrets)],
    roPaths: sandbox.roPaths,
    rwPaths: sandbox.rwPaths,
  };
}
