/**
 * Writes a real-looking Claude Code stream-json transcript (init, assistant/user turns, result) in which
 * every line carries a sequence number, so a reader can check that no line was lost or reordered.
 */

/** Shape of a transcript: how many lines, and about how many bytes each (the `\n` included). */
export interface TranscriptShape {
  lines: number;
  lineBytes: number;
}

const SESSION_ID = "5f0c2a9e-7b1d-4c3e-9a8f-2d6b1e0c4a77";
const MODEL = "claude-sonnet-4-5-20250929";
const FILLER = "The quick brown fox jumps over the lazy dog; the gateway forwards every byte of it. ";

function filler(bytes: number): string {
  if (bytes <= 0) return "";
  return FILLER.repeat(Math.ceil(bytes / FILLER.length)).slice(0, bytes);
}

function padTo(build: (text: string) => string, lineBytes: number): string {
  const bare = build("");
  return build(filler(lineBytes - 1 - bare.length));
}

/** The init line's fields. */
function initLine(seq: number, text: string): Record<string, unknown> {
  return {
    type: "system",
    subtype: "init",
    cwd: "/tmp",
    session_id: SESSION_ID,
    tools: ["Task", "Bash", "Glob", "Grep", "Read", "Edit", "Write", "WebFetch", "TodoWrite"],
    mcp_servers: [],
    model: MODEL,
    permissionMode: "acceptEdits",
    slash_commands: ["compact", "review"],
    apiKeySource: "none",
    claude_code_version: "2.1.328",
    output_style: "default",
    agents: [],
    uuid: "0b7f6a54-2c1e-4f7d-8c3b-1a9e5d2f6c10",
    note: text,
    seq,
  };
}

/** The result line's fields. */
function resultLine(seq: number, text: string): Record<string, unknown> {
  return {
    type: "result",
    subtype: "success",
    is_error: false,
    duration_ms: 48211,
    duration_api_ms: 45120,
    num_turns: seq,
    result: text,
    session_id: SESSION_ID,
    total_cost_usd: 0.0421,
    usage: { input_tokens: 12, cache_read_input_tokens: 18035, output_tokens: 903 },
    seq,
  };
}

/** An assistant text line's fields. */
function assistantLine(seq: number, text: string): Record<string, unknown> {
  return {
    type: "assistant",
    message: {
      id: `msg_01${seq.toString(36).padStart(22, "A")}`,
      type: "message",
      role: "assistant",
      model: MODEL,
      content: [{ type: "text", text }],
      stop_reason: null,
      usage: { input_tokens: 4, cache_read_input_tokens: 17817, output_tokens: 12 },
    },
    parent_tool_use_id: null,
    session_id: SESSION_ID,
    seq,
  };
}

/** A user tool-result line's fields. */
function userLine(seq: number, text: string): Record<string, unknown> {
  return {
    type: "user",
    message: {
      role: "user",
      content: [{
        tool_use_id: `toolu_01${seq.toString(36).padStart(20, "B")}`,
        type: "tool_result",
        content: text,
      }],
    },
    parent_tool_use_id: null,
    session_id: SESSION_ID,
    seq,
  };
}

function line(seq: number, last: number, lineBytes: number): string {
  const fields = seq === 0 ? initLine : seq === last ? resultLine : seq % 2 === 1 ? assistantLine : userLine;
  return padTo((text) => JSON.stringify(fields(seq, text)), lineBytes);
}

/**
 * Writes the transcript to `path` (one JSON object per line, each ending in `"seq":N}`).
 * @param path the file to create or replace
 * @param shape line count and approximate bytes per line
 * @returns the exact byte size written
 */
export async function writeTranscript(path: string, shape: TranscriptShape): Promise<number> {
  const encoder = new TextEncoder();
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  let size = 0;
  try {
    let batch: string[] = [];
    for (let seq = 0; seq < shape.lines; seq++) {
      batch.push(line(seq, shape.lines - 1, shape.lineBytes));
      if (batch.length === 1000 || seq === shape.lines - 1) {
        const bytes = encoder.encode(batch.join("\n") + "\n");
        size += bytes.length;
        let written = 0;
        while (written < bytes.length) written += await file.write(bytes.subarray(written));
        batch = [];
      }
    }
  } finally {
    file.close();
  }
  return size;
}
