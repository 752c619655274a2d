import type { CliProbe } from "../domain/cli_probe.ts";

/** How long `claude --version` may take. */
export const VERSION_TIMEOUT_MS = 15_000;

/** {@link CliProbe} with `Deno.stat` and `Deno.Command`. */
export class DenoCliProbe implements CliProbe {
  async identify(path: string): Promise<{ fingerprint: string } | { error: string }> {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch {
      return { error: `the Claude Code CLI "${path}" does not exist any more` };
    }
    if (!info.isFile) return { error: `the Claude Code CLI "${path}" is not a file` };
    if (info.mode !== null && (info.mode & 0o111) === 0) {
      return { error: `the Claude Code CLI "${path}" is not executable` };
    }
    return { fingerprint: `${info.dev}:${info.ino}:${info.size}:${info.mtime?.getTime()}:${info.mode}` };
  }

  async version(path: string): Promise<string> {
    const output = await new Deno.Command(path, {
      args: ["--version"],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal: AbortSignal.timeout(VERSION_TIMEOUT_MS),
    }).output();
    const stdout = new TextDecoder().decode(output.stdout).trim();
    if (!output.success) {
      const stderr = new TextDecoder().decode(output.stderr).trim().slice(-500);
      throw new Error(`exit code ${output.code}${stderr ? `: ${stderr}` : ""}`);
    }
    return stdout;
  }
}
