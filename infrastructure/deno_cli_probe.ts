import type { CliProbe } from "../domain/cli_probe.ts";
import { executableProblem } from "./cli_path.ts";

/** How long `claude --version` may take. */
export const VERSION_TIMEOUT_MS = 15_000;

/** {@link CliProbe} with `Deno.stat` and `Deno.Command`. */
export class DenoCliProbe implements CliProbe {
  async identify(path: string): Promise<{ fingerprint: string } | { error: string }> {
    const info = await Deno.stat(path).catch(() => null);
    const problem = executableProblem(info);
    if (info === null || problem !== null) return { error: `the Claude Code CLI "${path}" ${problem}` };
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
