import type { SessionTranscripts } from "../../domain/session_transcripts.ts";

/** Saved sessions the test declares: which directory each was recorded in, and each directory's latest. */
export class FakeSessionTranscripts implements SessionTranscripts {
  /**
   * @param recorded session id → the cwd its transcript records (null: it records none)
   * @param latest cwd → the id of its latest session
   */
  constructor(
    readonly recorded: Record<string, string | null> = {},
    readonly latest: Record<string, string> = {},
  ) {}

  cwdsOf(sessionId: string): Promise<(string | null)[]> {
    return Promise.resolve(sessionId in this.recorded ? [this.recorded[sessionId]] : []);
  }

  latestIn(cwd: string): Promise<string | null> {
    return Promise.resolve(this.latest[cwd] ?? null);
  }
}
