/** What a path resolves to on disk. */
export interface ResolvedPath {
  /** The real path: absolute, symlinks followed. */
  path: string;
  isDirectory: boolean;
}

/** Port: resolves paths a chat would use, so policy is checked on where they really lead. */
export interface Directories {
  /** The real path of `path`, or null when nothing exists there. */
  resolve(path: string): Promise<ResolvedPath | null>;
}
