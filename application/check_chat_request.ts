import type { ChatRequest, PermissionMode } from "../domain/chat_request.ts";
import type { Directories } from "../domain/directories.ts";
import { ForbiddenError, InvalidFieldError } from "../domain/errors.ts";
import type { SessionTranscripts } from "../domain/session_transcripts.ts";

/** What the operator allows requests to do. Null means unrestricted. */
export interface ChatPolicy {
  /** Real paths (symlinks resolved) that `cwd`, `add_dir`, `plugin_dir` and resumed sessions must lie inside. */
  allowedRoots: string[] | null;
  allowedPermissionModes: PermissionMode[] | null;
  /** Request fields a request must not use. */
  deniedFields: string[] | null;
}

/** What the check learned that running the chat needs. */
export interface CheckedRequest {
  /** The real path of `cwd`. */
  cwd: string;
  /** With `session_id`: the working directory its transcript records, null when none is found. */
  sessionCwd: string | null;
  /**
   * The paths to run the chat on: `cwd`, `add_dir` and `plugin_dir` as the real paths that were checked, so a
   * symlink re-pointed afterwards (while the chat waits for a slot) cannot move it outside the policy.
   */
  realPaths: Pick<ChatRequest, "cwd" | "add_dir" | "plugin_dir">;
}

/**
 * Checks a chat request, as the client sent it, against the disk and the policy; settles when it may run.
 */
export type CheckChatRequest = (request: ChatRequest) => Promise<CheckedRequest>;

/** True when `path` is `root` or lies under it (both real, absolute paths). */
export function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith("/") ? root : `${root}/`);
}

/** Dependencies of {@link createCheckChatRequest}. */
export interface CheckChatRequestDeps {
  directories: Directories;
  sessions: SessionTranscripts;
  policy: ChatPolicy;
}

/**
 * Creates the check of a chat request: no denied field; its paths exist, are directories where they must be
 * and lie inside the allowed roots once symlinks are resolved; a resumed session was recorded inside them;
 * its permission mode is allowed.
 * @throws {InvalidFieldError} a path that does not exist or is not a directory
 * @throws {ForbiddenError} a field, path, session or permission mode outside the policy
 */
export function createCheckChatRequest(deps: CheckChatRequestDeps): CheckChatRequest {
  const { directories, sessions, policy } = deps;

  function checkInside(field: string, shown: string, real: string): void {
    const roots = policy.allowedRoots;
    if (roots !== null && !roots.some((root) => isInside(real, root))) {
      throw new ForbiddenError(field, `${shown} is outside the allowed roots: ${roots.join(", ")}`);
    }
  }

  async function checkPath(field: string, path: string, mustBeDirectory: boolean): Promise<string> {
    const resolved = await directories.resolve(path);
    if (resolved === null) throw new InvalidFieldError(field, `${field} "${path}" does not exist`);
    if (mustBeDirectory && !resolved.isDirectory) {
      throw new InvalidFieldError(field, `${field} "${path}" is not a directory`);
    }
    checkInside(field, `${field} "${path}" (real path "${resolved.path}")`, resolved.path);
    return resolved.path;
  }

  /** The directory the session was recorded in; each of its transcripts must lie inside the roots. */
  async function checkSession(sessionId: string): Promise<string | null> {
    const cwds = await sessions.cwdsOf(sessionId);
    for (const cwd of cwds) {
      const shown = `session_id "${sessionId}"`;
      if (cwd === null) {
        if (policy.allowedRoots === null) continue;
        throw new ForbiddenError("session_id", `${shown} records no directory, so it cannot be checked`);
      }
      const real = (await directories.resolve(cwd))?.path ?? cwd;
      checkInside("session_id", `${shown} belongs to "${cwd}", which`, real);
    }
    return cwds.find((cwd) => cwd !== null) ?? null;
  }

  function checkFields(request: ChatRequest): void {
    const used = Object.entries(request).filter(([, value]) => value !== undefined).map(([key]) => key);
    const denied = used.find((field) => policy.deniedFields?.includes(field));
    if (denied !== undefined) {
      throw new ForbiddenError(denied, `the field "${denied}" is not allowed by this server`);
    }
  }

  return async function checkChatRequest(request) {
    checkFields(request);
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
    const sessionCwd = request.session_id ? await checkSession(request.session_id) : null;
    const realPaths = {
      cwd,
      ...(request.add_dir ? { add_dir: addDirs } : {}),
      ...(request.plugin_dir ? { plugin_dir: pluginDirs } : {}),
    };
    return { cwd, sessionCwd, realPaths };
  };
}
