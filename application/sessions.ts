import type { Directories } from "../domain/directories.ts";
import { ForbiddenError, InvalidFieldError, NotFoundError, SessionBusyError } from "../domain/errors.ts";
import type { ProcessRepository } from "../domain/process_repository.ts";
import type { SessionArchive, SessionPage, SessionTranscript } from "../domain/session_archive.ts";
import type { SessionTranscripts } from "../domain/session_transcripts.ts";
import { isInside } from "./check_chat_request.ts";

/** The sessions the CLI saved, under the directory policy. */
export interface Sessions {
  /**
   * A page of the sessions recorded in `cwd`, newest first.
   * @throws {InvalidFieldError} `cwd` does not exist or is not a directory
   * @throws {ForbiddenError} `cwd` lies outside the allowed roots
   */
  list(cwd: string, page: { offset: number; limit: number }): Promise<SessionPage>;
  /**
   * One session's transcript.
   * @throws {NotFoundError} no transcript of it exists
   * @throws {ForbiddenError} it was recorded outside the allowed roots
   */
  get(sessionId: string): Promise<SessionTranscript>;
  /**
   * Removes a session's transcripts.
   * @throws {NotFoundError} no transcript of it exists
   * @throws {ForbiddenError} it was recorded outside the allowed roots
   * @throws {SessionBusyError} a running (or queued) chat writes it
   */
  remove(sessionId: string): Promise<void>;
}

/** Dependencies of {@link createSessions}. */
export interface SessionsDeps {
  archive: SessionArchive;
  /** Where each session was recorded, for the policy. */
  transcripts: SessionTranscripts;
  directories: Directories;
  processes: ProcessRepository;
  /** Real paths sessions must have been recorded inside; null: anywhere. */
  allowedRoots: string[] | null;
}

/** Creates the sessions use cases: list, read and remove the CLI's saved sessions within the roots. */
export function createSessions(deps: SessionsDeps): Sessions {
  const { archive, transcripts, directories, processes, allowedRoots: roots } = deps;
  const outside = (real: string) => roots !== null && !roots.some((root) => isInside(real, root));

  /** The session exists, and every directory it was recorded in lies inside the roots. */
  async function checkSession(sessionId: string): Promise<void> {
    const cwds = await transcripts.cwdsOf(sessionId);
    if (cwds.length === 0) throw new NotFoundError("not_found", `session "${sessionId}" not found`);
    for (const cwd of cwds) {
      if (roots === null) continue;
      if (cwd === null) {
        throw new ForbiddenError(
          "session_id",
          `session "${sessionId}" records no directory, so it cannot be checked`,
        );
      }
      const real = (await directories.resolve(cwd))?.path ?? cwd;
      if (outside(real)) {
        throw new ForbiddenError(
          "session_id",
          `session "${sessionId}" belongs to "${cwd}", which is outside the allowed roots: ${
            roots.join(", ")
          }`,
        );
      }
    }
  }

  return {
    async list(cwd, page) {
      const resolved = await directories.resolve(cwd);
      if (resolved === null) throw new InvalidFieldError("cwd", `cwd "${cwd}" does not exist`);
      if (!resolved.isDirectory) throw new InvalidFieldError("cwd", `cwd "${cwd}" is not a directory`);
      if (outside(resolved.path)) {
        throw new ForbiddenError(
          "cwd",
          `cwd "${cwd}" (real path "${resolved.path}") is outside the allowed roots: ${roots?.join(", ")}`,
        );
      }
      return await archive.list(resolved.path, page);
    },

    async get(sessionId) {
      await checkSession(sessionId);
      const transcript = await archive.read(sessionId);
      if (transcript === null) throw new NotFoundError("not_found", `session "${sessionId}" not found`);
      return transcript;
    },

    async remove(sessionId) {
      await checkSession(sessionId);
      const writer = processes.list().find((process) => process.sessionId === sessionId);
      if (writer) {
        throw new SessionBusyError(
          sessionId,
          writer.id,
          `session "${sessionId}" is being written by running process "${writer.id}"; cancel it first`,
        );
      }
      if (!await archive.remove(sessionId)) {
        throw new NotFoundError("not_found", `session "${sessionId}" not found`);
      }
    },
  };
}
