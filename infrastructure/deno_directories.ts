import type { Directories, ResolvedPath } from "../domain/directories.ts";

/** {@link Directories} on the real file system. */
export class DenoDirectories implements Directories {
  async resolve(path: string): Promise<ResolvedPath | null> {
    try {
      const real = await Deno.realPath(path);
      const info = await Deno.stat(real);
      return { path: real, isDirectory: info.isDirectory };
    } catch {
      return null;
    }
  }
}
