/**
 * Running outside tools from tests (curl, caddy, shellcheck...), and deciding whether a test that needs
 * them runs: in CI it always does (and fails when a tool is missing), elsewhere only when they exist.
 *
 * @module
 */

/** What a finished command printed. */
export interface ToolOutput {
  code: number;
  stdout: string;
  stderr: string;
}

/** Whether `name` is an executable on `PATH` (or, with a slash in it, at that path). */
export function onPath(name: string): boolean {
  const candidates = name.includes("/")
    ? [name]
    : (Deno.env.get("PATH") ?? "").split(":").map((dir) => `${dir}/${name}`);
  return candidates.some((path) => {
    try {
      return ((Deno.statSync(path).mode ?? 0) & 0o111) !== 0;
    } catch {
      return false;
    }
  });
}

/** Whether this is CI (`CI=true`), where a test whose tools are missing fails instead of being skipped. */
export function inCi(): boolean {
  return Deno.env.get("CI") === "true";
}

/** Whether a test that needs `tools` runs: always in CI, else when they all exist. */
export function canRun(tools: string[]): boolean {
  return inCi() || tools.every(onPath);
}

/** Runs `command` to its end and returns what it printed. */
export async function runTool(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<ToolOutput> {
  const output = await new Deno.Command(command, { args, ...options, stdin: "null" }).output();
  const decoder = new TextDecoder();
  return { code: output.code, stdout: decoder.decode(output.stdout), stderr: decoder.decode(output.stderr) };
}
