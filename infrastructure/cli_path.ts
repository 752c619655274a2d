/** What CLI detection found: a path, or the reason there is none (with the path it tried, if one). */
export type CliLocation = { path: string; error?: undefined } | { path: string | null; error: string };

/** Inputs of {@link detectClaudePath}. */
export interface DetectOptions {
  /** `CLAUDE_PATH`, when set. */
  configured?: string;
  /** The `PATH` variable. */
  searchPath?: string;
  home?: string;
  /** The global npm prefix (`npm prefix -g`), when known. */
  npmPrefix?: string;
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
  const found = [...onPath, ...usualPlaces(home, npmPrefix)].find(isExecutable);
  if (found) return { path: found };
  return {
    path: null,
    error: "Claude Code CLI not found on PATH or in the usual places; install it " +
      "(npm install -g @anthropic-ai/claude-code) or set CLAUDE_PATH",
  };
}

/** Is `path` a regular file with an execute bit? */
export function isExecutableFile(path: string): boolean {
  try {
    const info = Deno.statSync(path);
    return info.isFile && (info.mode === null || (info.mode & 0o111) !== 0);
  } catch {
    return false;
  }
}
