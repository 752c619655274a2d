import type { Directories, DirectoryListing, Subdirectory } from "../domain/directories.ts";
import { ForbiddenError, InvalidFieldError, NotFoundError } from "../domain/errors.ts";
import { isInside } from "./check_chat_request.ts";

/** What `GET /directories` answers. */
export interface DirectoryList {
  /** The real path listed; null for the list of the roots themselves. */
  path: string | null;
  /** Its parent when that is inside the allowed area too, else null. */
  parent: string | null;
  /** Its subdirectories inside the allowed area, by name; hidden ones (`.name`) left out. */
  directories: Subdirectory[];
  /** Where listing may go: ALLOWED_CWD_ROOTS, or the service user's home. */
  roots: string[];
}

/**
 * The use case: the subdirectories of `path` (absent: the allowed roots), never outside them.
 * @throws {NotFoundError} `path` does not exist
 * @throws {InvalidFieldError} `path` is not a directory
 * @throws {ForbiddenError} `path` (symlinks resolved) lies outside the allowed area
 */
export type ListDirectories = (path?: string) => Promise<DirectoryList>;

/** Dependencies of {@link createListDirectories}. */
export interface ListDirectoriesDeps {
  directories: Directories & DirectoryListing;
  /** Real paths of ALLOWED_CWD_ROOTS; null: none set, so `home` is the one root. */
  allowedRoots: string[] | null;
  /** The service user's home, the root when no roots are set. */
  home: string;
}

function parentOf(path: string): string {
  const cut = path.lastIndexOf("/");
  return cut <= 0 ? "/" : path.slice(0, cut);
}

/** Creates the ListDirectories use case. */
export function createListDirectories(deps: ListDirectoriesDeps): ListDirectories {
  const { directories } = deps;
  let roots: Promise<string[]> | null = null;
  // The home is resolved once, on first use: it may be a symlink as much as any root.
  const allowed = () =>
    roots ??= deps.allowedRoots !== null
      ? Promise.resolve(deps.allowedRoots)
      : directories.resolve(deps.home).then((home) => [home?.path ?? deps.home]);

  return async function listDirectories(path) {
    const inside = await allowed();
    const within = (real: string) => inside.some((root) => isInside(real, root));
    if (path === undefined && inside.length > 1) {
      const listed = inside.map((root) => ({ name: root, path: root }));
      return { path: null, parent: null, directories: listed, roots: inside };
    }
    const asked = path ?? inside[0];
    const resolved = await directories.resolve(asked);
    if (resolved === null) throw new NotFoundError("not_found", `path "${asked}" does not exist`);
    if (!resolved.isDirectory) throw new InvalidFieldError("path", `path "${asked}" is not a directory`);
    if (!within(resolved.path)) {
      throw new ForbiddenError(
        "path",
        `path "${asked}" (real path "${resolved.path}") is outside the allowed roots: ${inside.join(", ")}`,
      );
    }
    const listed = (await directories.subdirectories(resolved.path))
      .filter((entry) => !entry.name.startsWith(".") && within(entry.path))
      .sort((a, b) => a.name.localeCompare(b.name));
    const parent = parentOf(resolved.path);
    return {
      path: resolved.path,
      parent: resolved.path !== "/" && within(parent) ? parent : null,
      directories: listed,
      roots: inside,
    };
  };
}
