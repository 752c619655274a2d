import type { SessionArchive, SessionPage, SessionTranscript } from "../../domain/session_archive.ts";

/** Sessions the test declares, kept in memory: listed by their `cwd`, newest `last_activity_at` first. */
export class FakeSessionArchive implements SessionArchive {
  /** @param sessions the saved sessions, by id */
  constructor(readonly sessions: Record<string, SessionTranscript> = {}) {}

  list(cwd: string, page: { offset: number; limit: number }): Promise<SessionPage> {
    const all = Object.values(this.sessions).filter((session) => session.cwd === cwd)
      .sort((a, b) => b.last_activity_at.localeCompare(a.last_activity_at));
    const sessions = all.slice(page.offset, page.offset + page.limit).map((
      { cwd: _, entries: __, ...summary },
    ) => summary);
    return Promise.resolve({ sessions, total: all.length });
  }

  read(sessionId: string): Promise<SessionTranscript | null> {
    return Promise.resolve(this.sessions[sessionId] ?? null);
  }

  remove(sessionId: string): Promise<boolean> {
    const had = sessionId in this.sessions;
    delete this.sessions[sessionId];
    return Promise.resolve(had);
  }
}
