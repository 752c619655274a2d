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

/** One subdirectory of a listed directory. */
export interface Subdirectory {
  /** Its name in the listed directory. */
  name: string;
  /** Its real path (a symlink's target). */
  path: string;
}

/** Port: the subdirectories of a directory, so a person can pick a working directory. */
export interface DirectoryListing {
  /** The entries of the directory at the real path `path` that are directories or lead to one. */
  subdirectories(path: string): Promise<Subdirectory[]>;
}
