import { isExecutableFile } from "./cli_path.ts";
import { ConfigError } from "./config.ts";

/** Where bubblewrap is usually installed. */
const BWRAP_PLACES = ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"];

const INSTALL_HINT = "install it with `apt-get install bubblewrap` (dnf/pacman: bubblewrap)";

/** Options of {@link probeBwrap}; the defaults look at the real system. */
export interface ProbeBwrapOptions {
  /** Where to look for `bwrap`. */
  places?: string[];
  /** Is `path` an executable file? */
  isExecutable?: (path: string) => boolean;
}

/**
 * Finds `bwrap` and checks that it can make the sandbox a chat gets (new PID and IPC namespaces, a fresh
 * `/proc`), by running `bwrap --version` inside one.
 * @param options where to look
 * @returns the path of a working `bwrap`
 * @throws {ConfigError} one line saying what is wrong and how to install bubblewrap
 */
export function probeBwrap(options: ProbeBwrapOptions = {}): string {
  const { places = BWRAP_PLACES, isExecutable = isExecutableFile } = options;
  const path = places.find(isExecutable);
  if (path === undefined) {
    throw new ConfigError(
      `SANDBOX=bwrap but bubblewrap is not installed (no ${places.join(", ")}): ${INSTALL_HINT}`,
    );
  }
  const args = [
    ...["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"],
    ...["--unshare-pid", "--unshare-ipc", "--die-with-parent", "--new-session", "--", path, "--version"],
  ];
  let problem: string;
  try {
    const output = new Deno.Command(path, { args, stdin: "null", stdout: "null", stderr: "piped" })
      .outputSync();
    if (output.success) return path;
    problem = new TextDecoder().decode(output.stderr).trim().split("\n")[0] || `exit code ${output.code}`;
  } catch (error) {
    problem = error instanceof Error ? error.message : String(error);
  }
  throw new ConfigError(
    `SANDBOX=bwrap but ${path} cannot make a sandbox here (${problem}): it needs root or unprivileged user ` +
      "namespaces (and a systemd unit that allows namespaces)",
  );
}
