import type { Directories, DirectoryListing, ResolvedPath, Subdirectory } from "../domain/directories.ts";

/** {@link Directories} and {@link DirectoryListing} on the real file system. */
export class DenoDirectories implements Directories, DirectoryListing {
  async resolve(path: string): Promise<ResolvedPath | null> {
    try {
      const real = await Deno.realPath(path);
      const info = await Deno.stat(real);
      return { path: real, isDirectory: info.isDirectory };
    } catch {
      return null;
    }
  }

  async subdirectories(path: string): Promise<Subdirectory[]> {
    const found: Subdirectory[] = [];
    for await (const entry of Deno.readDir(path)) {
      if (!entry.isDirectory && !entry.isSymlink) continue;
      const resolved = await this.resolve(`${path === "/" ? "" : path}/${entry.name}`);
      if (resolved?.isDirectory) found.push({ name: entry.name, path: resolved.path });
    }
    return found;
  }
}
