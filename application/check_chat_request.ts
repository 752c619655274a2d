import type { ChatRequest, PermissionMode } from "../domain/chat_request.ts";
import type { Directories } from "../domain/directories.ts";
import { ForbiddenError, InvalidFieldError } from "../domain/errors.ts";

/** What the operator allows requests to do. Null means unrestricted. */
export interface ChatPolicy {
  /** Real paths (symlinks resolved) that `cwd`, `add_dir` and `plugin_dir` must lie inside. */
  allowedRoots: string[] | null;
  allowedPermissionModes: PermissionMode[] | null;
}

/**
 * Checks a chat request against the disk and the policy; settles, when it may run, with the request to
 * run: its `cwd`, `add_dir` and `plugin_dir` replaced by the real paths that were checked, so a symlink
 * re-pointed afterwards (while the chat waits for a slot) cannot move it outside the policy.
 */
export type CheckChatRequest = (request: ChatRequest) => Promise<ChatRequest>;

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith("/") ? root : `${root}/`);
}

/**
 * Creates the check of a chat request's paths (they exist, are directories where they must be, and lie
 * inside the allowed roots once symlinks are resolved) and permission mode.
 * @throws {InvalidFieldError} a path that does not exist or is not a directory
 * @throws {ForbiddenError} a path or permission mode outside the policy
 */
export function createCheckChatRequest(
  deps: { directories: Directories; policy: ChatPolicy },
): CheckChatRequest {
  const { directories, policy } = deps;

  async function checkPath(field: string, path: string, mustBeDirectory: boolean): Promise<string> {
    const resolved = await directories.resolve(path);
    if (resolved === null) throw new InvalidFieldError(field, `${field} "${path}" does not exist`);
    if (mustBeDirectory && !resolved.isDirectory) {
      throw new InvalidFieldError(field, `${field} "${path}" is not a directory`);
    }
    const roots = policy.allowedRoots;
    if (roots !== null && !roots.some((root) => isInside(resolved.path, root))) {
      throw new ForbiddenError(
        field,
        `${field} "${path}" (real path "${resolved.path}") is outside the allowed roots: ${roots.join(", ")}`,
      );
    }
    return resolved.path;
  }

  return async function checkChatRequest(request) {
    const cwd = await checkPath("cwd", request.cwd, true);
    const addDirs: string[] = [];
    for (const dir of request.add_dir ?? []) addDirs.push(await checkPath("add_dir", dir, true));
    const pluginDirs: string[] = [];
    for (const dir of request.plugin_dir ?? []) pluginDirs.push(await checkPath("plugin_dir", dir, false));
    const modes = policy.allowedPermissionModes;
    if (modes !== null && request.permission_mode && !modes.includes(request.permission_mode)) {
      throw new ForbiddenError(
        "permission_mode",
        `permission_mode "${request.permission_mode}" is not allowed (allowed: ${modes.join(", ")})`,
      );
    }
    return {
      ...request,
      cwd,
      ...(request.add_dir ? { add_dir: addDirs } : {}),
      ...(request.plugin_dir ? { plugin_dir: pluginDirs } : {}),
    };
  };
}
