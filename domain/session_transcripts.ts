/**
 * Port: what the Claude Code CLI recorded about its saved sessions (their transcripts), so the policy can be
 * checked on a session before a chat resumes or continues it.
 */
export interface SessionTranscripts {
  /**
   * The working directory recorded in each transcript of `sessionId` (one entry per transcript found; null
   * for one that records none). Empty when no transcript of it exists.
   */
  cwdsOf(sessionId: string): Promise<(string | null)[]>;
  /** The session `--continue` would continue in `cwd` (a real path): its latest written transcript, or null. */
  latestIn(cwd: string): Promise<string | null>;
}
