/**
 * Removes files and folders (recursively; missing ones are no error).
 * @param paths absolute paths
 * @throws {Error} when one cannot be removed, naming it
 */
export async function removePaths(paths: string[]): Promise<void> {
  for (const path of paths) {
    try {
      await Deno.remove(path, { recursive: true });
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw new Error(`cannot remove ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
