/** Where the CLI executable is: a path, or the reason there is none (with the path that was tried, if one). */
export type CliLocation = { path: string; error?: undefined } | { path: string | null; error: string };

/** Port: looks at the CLI executable without running a chat. */
export interface CliProbe {
  /**
   * A fingerprint of the executable (changes when it is replaced), or an error saying why it cannot run
   * (missing, not a file, not executable).
   */
  identify(path: string): Promise<{ fingerprint: string } | { error: string }>;
  /**
   * What `claude --version` prints, trimmed.
   * @throws {Error} when it fails or times out
   */
  version(path: string): Promise<string>;
}
