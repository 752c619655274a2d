/**
 * What the fake Messages API answers: text, one or several `tool_use` blocks, or an HTTP error, and builders
 * for them (among them a valid `AskUserQuestion` call).
 *
 * @module
 */

import { askUserQuestionInput, type Question } from "./ask_user_question.ts";
import type { RecordedRequest } from "./recorded_request.ts";

export type { Question, QuestionOption } from "./ask_user_question.ts";

/** A text answer. */
export interface TextReply {
  /** Discriminator. */
  type: "text";
  /** The whole answer text. */
  text: string;
  /** Number of `text_delta` events to split the text into (default: 1, or 16 KB pieces for big texts). */
  chunks?: number;
  /** Delay before each delta after the first, in ms (default 0). Makes a "slow stream". */
  delayMs?: number;
  /** `stop_reason` sent in `message_delta` (default `end_turn`). */
  stopReason?: string;
}

/** A `tool_use` answer (optionally preceded by a text block). */
export interface ToolUseReply {
  /** Discriminator. */
  type: "tool_use";
  /** Tool name, e.g. `Write`. */
  name: string;
  /** Tool input, e.g. `{ file_path, content }`. */
  input: Record<string, unknown>;
  /** `tool_use` block id (default: generated `toolu_fake_N`). */
  id?: string;
  /** Optional text block sent before the tool call. */
  text?: string;
}

/** One tool call of a {@link ToolUsesReply}. */
export interface ToolCall {
  /** Tool name, e.g. `Write`. */
  name: string;
  /** Tool input, e.g. `{ file_path, content }`. */
  input: Record<string, unknown>;
  /** `tool_use` block id (default: generated `toolu_fake_<answer>_<n>`, n from 1). */
  id?: string;
}

/** Several `tool_use` blocks in one assistant message (optionally preceded by a text block). */
export interface ToolUsesReply {
  /** Discriminator. */
  type: "tool_uses";
  /** The calls, in block order; the CLI runs them one after the other and answers all in one user message. */
  calls: ToolCall[];
  /** Optional text block sent before the tool calls. */
  text?: string;
}

/** An HTTP error answer with Anthropic's error JSON body. */
export interface ErrorReply {
  /** Discriminator. */
  type: "error";
  /** HTTP status, e.g. 400, 429, 500, 529. */
  status: number;
  /** Anthropic error type (default derived from the status, e.g. `api_error` for 500). */
  errorType?: string;
  /** Error message (default `Fake <status> error`). */
  message?: string;
  /** Extra response headers (e.g. `{ "retry-after": "0" }`). */
  headers?: Record<string, string>;
}

/** What the fake answers to one `/v1/messages` request. */
export type ReplySpec = TextReply | ToolUseReply | ToolUsesReply | ErrorReply;

/** The answers that are a message (not an HTTP error). */
export type MessageReply = TextReply | ToolUseReply | ToolUsesReply;

/** Decides the answer by looking at the request; `undefined` falls back to the default text. */
export type Responder = (req: RecordedRequest) => ReplySpec | undefined;

/** Builders for {@link ReplySpec}s, so tests read as `reply.text("hi")`. */
export const reply = {
  /** A text answer sent in one delta. */
  text(text: string, opts: Omit<TextReply, "type" | "text"> = {}): TextReply {
    return { type: "text", text, ...opts };
  },
  /** A text answer split into `chunks` deltas with `delayMs` between them. */
  slowText(text: string, chunks: number, delayMs: number): TextReply {
    return { type: "text", text, chunks, delayMs };
  },
  /** A text answer of `bytes` ASCII characters (e.g. 400_000), ending with `marker` so truncation shows. */
  largeText(bytes: number, marker = "<<END-OF-LARGE-ANSWER>>"): TextReply {
    const line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-large-answer-line\n";
    const fill = Math.max(0, bytes - marker.length);
    const text = line.repeat(Math.ceil(fill / line.length)).slice(0, fill) + marker;
    return { type: "text", text };
  },
  /** A `tool_use` answer. */
  toolUse(
    name: string,
    input: Record<string, unknown>,
    opts: Omit<ToolUseReply, "type" | "name" | "input"> = {},
  ): ToolUseReply {
    return { type: "tool_use", name, input, ...opts };
  },
  /**
   * Several `tool_use` blocks in one assistant message, e.g.
   * `reply.toolUses([{ name: "Write", input: {...} }, { name: "Bash", input: { command: "ls" } }])`.
   * @throws {Error} when `calls` is empty
   */
  toolUses(calls: ToolCall[], opts: Omit<ToolUsesReply, "type" | "calls"> = {}): ToolUsesReply {
    if (calls.length === 0) throw new Error("reply.toolUses: give at least one tool call");
    return { type: "tool_uses", calls, ...opts };
  },
  /**
   * An `AskUserQuestion` call whose input the CLI's schema accepts (`multiSelect` defaults to false).
   * The CLI offers the tool only with `--permission-prompt-tool=stdio` and asks the client with `can_use_tool`.
   * @throws {Error} when the questions break the tool's schema (1–4 questions, 2–4 options each)
   */
  askUserQuestion(
    questions: Question[],
    opts: Omit<ToolUseReply, "type" | "name" | "input"> = {},
  ): ToolUseReply {
    return { type: "tool_use", name: "AskUserQuestion", input: askUserQuestionInput(questions), ...opts };
  },
  /** An HTTP error with Anthropic's error JSON. */
  error(
    status: number,
    message?: string,
    opts: Omit<ErrorReply, "type" | "status" | "message"> = {},
  ): ErrorReply {
    return { type: "error", status, message, ...opts };
  },
};
