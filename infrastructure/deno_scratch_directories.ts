import type { ScratchDirectories } from "../domain/scratch_directories.ts";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** Runs a coreutils command; throws with its stderr when it fails. */
async function run(command: string, args: string[]): Promise<string> {
  const output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  const decoder = new TextDecoder();
  if (!output.success) throw new Error(`${command} failed: ${decoder.decode(output.stderr).trim()}`);
  return decoder.decode(output.stdout).trim();
}

/**
 * {@link ScratchDirectories} on the real file system, under `root` (made when missing), each of mode 0700. The
 * gateway runs without Deno's write permission (it only reads, and runs the CLI), so `mkdir` and `rm` do the
 * writing, as the CLI does its own.
 */
export class DenoScratchDirectories implements ScratchDirectories {
  /** @param root the directory the scratch directories are made in */
  constructor(readonly root: string) {}

  async create(): Promise<string> {
    // 60 random bits in the name; one `mkdir` (which also makes the root) is one process per conversation.
    const name = Array.from(crypto.getRandomValues(new Uint8Array(10)), (byte) => ALPHABET[byte % 62]).join(
      "",
    );
    const path = `${this.root}/conversation-${name}`;
    // Without -p: an existing directory is an error, never shared by two conversations. The root is made only
    // when that fails (the first time), so a conversation costs one process.
    const make = () => run("mkdir", ["-m", "700", "--", path]);
    await make().catch(async () => {
      await run("mkdir", ["-p", "--", this.root]);
      await make();
    });
    // The real path: the chat's policy check and its CLI see the path the conversation remembers.
    return await Deno.realPath(path);
  }

  async remove(path: string): Promise<void> {
    // Only ever what create() made: a wrong path here must not become an `rm -rf` of something else.
    if (!/\/conversation-[A-Za-z0-9]{10}$/.test(path)) throw new Error(`not a scratch directory: ${path}`);
    await run("rm", ["-rf", "--", path]);
  }
}
