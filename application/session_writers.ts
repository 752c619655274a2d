import type { ChatRequest } from "../domain/chat_request.ts";
import { SessionBusyError } from "../domain/errors.ts";
import type { ProcessRepository } from "../domain/process_repository.ts";
import type { SessionTranscripts } from "../domain/session_transcripts.ts";
import type { CheckedRequest } from "./check_chat_request.ts";

/** What {@link SessionWriters.check} needs to know from the disk, looked up beforehand. */
export interface WriterLookup {
  /** The directory whose latest session the request would write (`continue`, or the session's own). */
  cwd: string | null;
  /** The latest session recorded in `cwd`, when one is. */
  latest: string | null;
}

/**
 * The one-writer rule: two running chats never write one session.
 *
 * - `session_id` (without `fork_session`) is busy when a running chat writes that session, or when a running
 *   chat started with `continue` in the directory the session was recorded in and the session is that
 *   directory's latest (the one `--continue` continues).
 * - `continue` (without `fork_session`) is busy when a running chat started with `continue` in the same
 *   directory (real paths compared), or when a running chat writes that directory's latest session.
 *
 * Queued chats count as running. The lookup awaits the disk; the check is synchronous, so a caller that
 * registers the chat right after it cannot let two requests for one session both pass.
 */
export class SessionWriters {
  readonly #processes: ProcessRepository;
  readonly #sessions: SessionTranscripts;
  /** Running chats started with `continue` (and no fork): process id → real cwd. */
  readonly #continuing = new Map<string, string>();

  constructor(deps: { processes: ProcessRepository; sessions: SessionTranscripts }) {
    this.#processes = deps.processes;
    this.#sessions = deps.sessions;
  }

  /** Reads from the disk what {@link check} needs for `request`. */
  async lookup(request: ChatRequest, checked: CheckedRequest): Promise<WriterLookup> {
    const cwd = request.fork_session ? null : request.continue ? checked.cwd : checked.sessionCwd;
    if (cwd === null) return { cwd, latest: null };
    return { cwd, latest: await this.#sessions.latestIn(cwd) };
  }

  /** @throws {SessionBusyError} when the request would write a session a running chat writes */
  check(request: ChatRequest, lookup: WriterLookup): void {
    if (request.fork_session) return;
    const running = this.#processes.list();
    const sessionId = request.session_id;
    const writer = (id: string | null | undefined) =>
      id ? running.find((process) => process.sessionId === id) : undefined;
    const sessionUser = writer(sessionId);
    if (sessionId && sessionUser) throw new SessionBusyError(sessionId, sessionUser.id);
    const latestUser = request.continue ? writer(lookup.latest) : undefined;
    if (latestUser && lookup.latest) throw new SessionBusyError(lookup.latest, latestUser.id);
    const continuing = [...this.#continuing].find(([, cwd]) => cwd === lookup.cwd)?.[0];
    const reachesLatest = request.continue || (sessionId !== undefined && sessionId === lookup.latest);
    if (continuing !== undefined && reachesLatest) {
      const what = `the latest session in "${lookup.cwd}"`;
      throw new SessionBusyError(
        lookup.latest ?? what,
        continuing,
        `${what} is being continued by running process "${continuing}"`,
      );
    }
  }

  /** A chat was registered: remember it when it continues its directory's latest session. */
  started(processId: string, request: ChatRequest, lookup: WriterLookup): void {
    if (request.continue && !request.fork_session && lookup.cwd !== null) {
      this.#continuing.set(processId, lookup.cwd);
    }
  }

  /** A chat finished. */
  finished(processId: string): void {
    this.#continuing.delete(processId);
  }
}
