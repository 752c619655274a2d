import type { ScratchDirectories } from "../domain/scratch_directories.ts";

/** Runs a coreutils command; throws with its stderr when it fails. */
async function run(command: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  const decoder = new TextDecoder();
  if (!output.success) throw new Error(`${command} failed: ${decoder.decode(output.stderr).trim()}`);
  return decoder.decode(output.stdout).trim();
}

/**
 * {@link ScratchDirectories} on the real file system, under `root` (made when missing, mode 0700). The gateway
 * runs without Deno's write permission (it only reads, and runs the CLI), so `mkdir`, `mktemp` and `rm` do
 * the writing, as the CLI does its own.
 */
export class DenoScratchDirectories implements ScratchDirectories {
  /** @param root the directory the scratch directories are made in */
  constructor(readonly root: string) {}

  async create(): Promise<string> {
    await run("mkdir", ["-p", "-m", "700", "--", this.root]);
    const path = await run("mktemp", ["-d", "-p", this.root, "conversation-XXXXXXXXXX"]);
    // The real path: the chat's policy check and its CLI see the path the conversation remembers.
    return await Deno.realPath(path);
  }

  async remove(path: string): Promise<void> {
    // Only ever what create() made: a wrong path here must not become an `rm -rf` of something else.
    if (!/\/conversation-[A-Za-z0-9]{10}$/.test(path)) throw new Error(`not a scratch directory: ${path}`);
    await run("rm", ["-rf", "--", path]);
  }
}
