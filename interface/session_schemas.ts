import { z } from "@hono/zod-openapi";
import type { DirectoryList } from "../application/list_directories.ts";
import type { SessionSummary, SessionTranscript, TranscriptEntry } from "../domain/session_archive.ts";
import { EXAMPLE_SESSION_ID } from "./openapi_examples.ts";
import { wireSchema } from "./wire_schema.ts";

const timestamp = () =>
  z.string().nullable().openapi({ description: "ISO 8601, UTC", example: "2024-01-01T12:00:00.000Z" });

const summaryFields = {
  session_id: z.string().openapi({ example: EXAMPLE_SESSION_ID }),
  title: z.string().nullable().openapi({
    description: "The title the CLI gave the session, else its first prompt (shortened); null: neither.",
    example: "Create hello.txt with Hello World",
  }),
  created_at: timestamp().openapi({ description: "When its first message was written (ISO 8601, UTC)." }),
  last_activity_at: z.string().openapi({
    description: "When its transcript was last written (ISO 8601, UTC).",
    example: "2024-01-01T12:05:00.000Z",
  }),
  message_count: z.number().int().openapi({
    description: "User and assistant messages (a tool result counts with its call).",
    example: 4,
  }),
};

/** One entry of `GET /sessions`. */
export const SessionSummarySchema = wireSchema<SessionSummary>()(
  z.object(summaryFields).openapi("SessionSummary"),
);

/** What `GET /sessions` answers. */
export interface SessionListView {
  sessions: SessionSummary[];
  total: number;
  offset: number;
  limit: number;
  next_offset: number | null;
}

/** `GET /sessions`. */
export const SessionListSchema = wireSchema<SessionListView>()(
  z.object({
    sessions: z.array(SessionSummarySchema),
    total: z.number().int().openapi({
      description: "Sessions recorded in the directory in all.",
      example: 1,
    }),
    offset: z.number().int().openapi({ example: 0 }),
    limit: z.number().int().openapi({ example: 20 }),
    next_offset: z.number().int().nullable().openapi({
      description: "`offset` of the next page; null on the last.",
      example: null,
    }),
  }).openapi("SessionList"),
);

const ToolResultSchema = z.object({
  content: z.string().openapi({ description: "The result as text (images as `[image]`)." }),
  is_error: z.boolean(),
  clipped: z.boolean().openapi({ description: "True when `content` was cut at 65536 characters." }),
});

const at = () => timestamp().openapi({ description: "When the CLI wrote it (ISO 8601, UTC)." });

/** One entry of a session's transcript. */
export const TranscriptEntrySchema = wireSchema<TranscriptEntry>()(
  z.discriminatedUnion("type", [
    z.object({ type: z.literal("user"), text: z.string(), timestamp: at() }),
    z.object({
      type: z.literal("assistant"),
      text: z.string().openapi({ description: "Markdown." }),
      timestamp: at(),
    }),
    z.object({ type: z.literal("thinking"), text: z.string(), timestamp: at() }),
    z.object({
      type: z.literal("tool_call"),
      tool_use_id: z.string(),
      name: z.string().openapi({ example: "Write" }),
      input: z.unknown().openapi({ description: "The tool's input, as the model gave it." }),
      result: ToolResultSchema.nullable().openapi({ description: "Null when no result was recorded." }),
      timestamp: at(),
    }),
  ]).openapi("TranscriptEntry"),
);

/** `GET /sessions/{session_id}`. */
export const SessionTranscriptSchema = wireSchema<SessionTranscript>()(
  z.object({
    ...summaryFields,
    cwd: z.string().nullable().openapi({
      description: "The working directory it was recorded in.",
      example: "/home/user/projects/myapp",
    }),
    entries: z.array(TranscriptEntrySchema),
  }).openapi("SessionTranscript"),
);

/** `DELETE /sessions/{session_id}`. */
export const SessionDeletedSchema = z.object({
  status: z.literal("deleted"),
  session_id: z.string().openapi({ example: EXAMPLE_SESSION_ID }),
}).openapi("SessionDeleted");

/** `GET /directories`. */
export const DirectoryListSchema = wireSchema<DirectoryList>()(
  z.object({
    path: z.string().nullable().openapi({
      description: "The real path listed; null when the roots themselves are listed.",
      example: "/home/user/projects",
    }),
    parent: z.string().nullable().openapi({
      description: "Its parent, when that may be listed too; else null.",
      example: "/home/user",
    }),
    directories: z.array(z.object({
      name: z.string().openapi({ example: "myapp" }),
      path: z.string().openapi({
        description: "Its real path (symlinks resolved).",
        example: "/home/user/projects/myapp",
      }),
    })),
    roots: z.array(z.string()).openapi({
      description: "Where listing may go: ALLOWED_CWD_ROOTS, or the service user's home when none are set.",
      example: ["/home/user"],
    }),
  }).openapi("DirectoryList"),
);
