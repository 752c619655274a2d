/**
 * What the CLI leaves in its `HOME` and working directories, as the end-to-end tests look at it.
 *
 * @module
 */

/** Whether `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Every `<session>.jsonl` transcript under `home/.claude/projects`. */
export async function transcripts(home: string): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isDirectory) await walk(`${dir}/${entry.name}`);
      else if (entry.name.endsWith(".jsonl")) found.push(entry.name.slice(0, -".jsonl".length));
    }
  };
  await walk(`${home}/.claude/projects`).catch(() => {});
  return found;
}
