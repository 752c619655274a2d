/**
 * Removes files and folders (recursively; missing ones are no error) with `rm`: the gateway runs without
 * Deno's write permission (`--allow-write` is not among its flags), but it runs programs, so it removes
 * what the CLI wrote the way the CLI's own tools would.
 * @param paths absolute paths
 * @throws {Error} when `rm` fails, with its message
 */
export async function removePaths(paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  const { success, stderr } = await new Deno.Command("rm", { args: ["-rf", "--", ...paths], stderr: "piped" })
    .output();
  if (!success) throw new Error(`rm ${paths.join(" ")} failed: ${new TextDecoder().decode(stderr).trim()}`);
}
