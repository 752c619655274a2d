import type { CliLocation } from "../domain/cli_probe.ts";

/** Inputs of {@link detectClaudePath}. */
export interface DetectOptions {
  /** `CLAUDE_PATH`, when set. */
  configured?: string;
  /** The `PATH` variable. */
  searchPath?: string;
  home?: string;
  /** The global npm prefix (`npm prefix -g`), or a function asked for it only if nothing else is found. */
  npmPrefix?: string | (() => string | undefined);
  /** Is `path` an executable regular file? (Injected so tests need no real files.) */
  isExecutable: (path: string) => boolean;
}

/** The usual install places of the CLI, after `PATH`. */
export function usualPlaces(home: string | undefined, npmPrefix: string | undefined): string[] {
  const places: string[] = [];
  if (home) {
    places.push(
      `${home}/.local/bin/claude`,
      `${home}/.claude/local/claude`,
      `${home}/.npm-global/bin/claude`,
    );
  }
  places.push("/usr/local/bin/claude", "/opt/homebrew/bin/claude");
  if (npmPrefix) places.push(`${npmPrefix}/bin/claude`);
  return places;
}

/**
 * Finds the Claude Code CLI: `CLAUDE_PATH` if set (it must be an executable file: no fallback, so a
 * misconfiguration is seen), else `claude` on `PATH`, else the usual install places.
 */
export function detectClaudePath(options: DetectOptions): CliLocation {
  const { configured, searchPath = "", home, npmPrefix, isExecutable } = options;
  if (configured) {
    if (isExecutable(configured)) return { path: configured };
    return { path: configured, error: `CLAUDE_PATH "${configured}" is not an executable file` };
  }
  const onPath = searchPath.split(":").filter((dir) => dir !== "").map((dir) => `${dir}/claude`);
  const found = [...onPath, ...usualPlaces(home, undefined)].find(isExecutable);
  if (found) return { path: found };
  // Last, and only now (asking npm costs a process): the global npm prefix.
  const prefix = typeof npmPrefix === "function" ? npmPrefix() : npmPrefix;
  const fromNpm = prefix ? usualPlaces(undefined, prefix).at(-1) : undefined;
  if (fromNpm && isExecutable(fromNpm)) return { path: fromNpm };
  return {
    path: null,
    error: "Claude Code CLI not found on PATH or in the usual places; install it " +
      "(npm install -g @anthropic-ai/claude-code) or set CLAUDE_PATH",
  };
}

/** Why a file cannot run as the CLI ("does not exist", "is not a file", "is not executable"), or null. */
export function executableProblem(info: Deno.FileInfo | null): string | null {
  if (info === null) return "does not exist";
  if (!info.isFile) return "is not a file";
  if (info.mode !== null && (info.mode & 0o111) === 0) return "is not executable";
  return null;
}

/** `Deno.statSync(path)`, or null when nothing can be found there. */
export function statOrNull(path: string): Deno.FileInfo | null {
  try {
    return Deno.statSync(path);
  } catch {
    return null;
  }
}

/** Is `path` a regular file with an execute bit? */
export function isExecutableFile(path: string): boolean {
  return executableProblem(statOrNull(path)) === null;
}

/**
 * The global npm prefix (`npm prefix -g`), or undefined when npm is missing or fails.
 * @param npm the npm executable (a name looked up on `PATH`, or a path)
 */
export function globalNpmPrefix(npm = "npm"): string | undefined {
  try {
    const output = new Deno.Command(npm, { args: ["prefix", "-g"], stdout: "piped", stderr: "null" })
      .outputSync();
    return output.success ? new TextDecoder().decode(output.stdout).trim() || undefined : undefined;
  } catch {
    return undefined;
  }
}

/**
 * {@link detectClaudePath} on this machine: real files, `PATH` and `HOME` from `env`, npm asked last.
 * @param configured `CLAUDE_PATH`, or null to look for the CLI
 * @param env the environment holding `PATH` and `HOME`
 */
export function findClaudeCli(configured: string | null, env: Record<string, string>): CliLocation {
  return detectClaudePath({
    configured: configured ?? undefined,
    searchPath: env.PATH,
    home: env.HOME,
    npmPrefix: () => globalNpmPrefix(),
    isExecutable: isExecutableFile,
  });
}

/** Where util-linux `setsid` is usually installed. */
const SETSID_PLACES = ["/usr/bin/setsid", "/bin/setsid"];

/**
 * util-linux `setsid`, or null when it is not installed.
 * @param isExecutable is `path` an executable file? (injected so tests need no real files)
 */
export function findSetsid(isExecutable: (path: string) => boolean = isExecutableFile): string | null {
  return SETSID_PLACES.find(isExecutable) ?? null;
}
