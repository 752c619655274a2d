/** One saved session of the CLI, as a list of sessions shows it. */
export interface SessionSummary {
  session_id: string;
  /** The title the CLI gave it, else the first prompt (shortened); null when it has neither. */
  title: string | null;
  /** When its first line was written (ISO 8601), null when no line says. */
  created_at: string | null;
  /** When it was last written (ISO 8601): its transcript's modification time. */
  last_activity_at: string;
  /** User and assistant messages in it (tool results count with their calls, not on their own). */
  message_count: number;
}

/** The result of one tool call, as text. */
export interface ToolResult {
  content: string;
  is_error: boolean;
  /** True when `content` was cut to the limit a transcript entry may have. */
  clipped: boolean;
}

/** One entry of a session's transcript, in the order the CLI wrote them. */
export type TranscriptEntry =
  | { type: "user"; text: string; timestamp: string | null }
  | { type: "assistant"; text: string; timestamp: string | null }
  | { type: "thinking"; text: string; timestamp: string | null }
  | {
    type: "tool_call";
    tool_use_id: string;
    name: string;
    input: unknown;
    /** Null while (or when) no result was recorded. */
    result: ToolResult | null;
    timestamp: string | null;
  };

/** A whole session: its summary and its entries. */
export interface SessionTranscript extends SessionSummary {
  /** The working directory the transcript records, null when it records none. */
  cwd: string | null;
  entries: TranscriptEntry[];
}

/** One page of a directory's sessions, newest first. */
export interface SessionPage {
  sessions: SessionSummary[];
  /** Sessions of the directory in all. */
  total: number;
}

/** Port: the sessions the CLI saved, to list, read and remove. */
export interface SessionArchive {
  /** The sessions recorded in `cwd` (a real path), newest activity first, `limit` of them from `offset`. */
  list(cwd: string, page: { offset: number; limit: number }): Promise<SessionPage>;
  /** The session's transcript (the newest written, if several directories hold one), or null. */
  read(sessionId: string): Promise<SessionTranscript | null>;
  /** Removes every transcript of the session; false when there was none. */
  remove(sessionId: string): Promise<boolean>;
}
