/** The kinds of line the gateway acts on. */
export type LineKind = "init" | "result" | "control" | "lifecycle";

/** A stream-json line the gateway learns from, recognised by its parsed top-level `type`/`subtype`. */
export interface RecognizedLine {
  /**
   * `init`: the `system`/`init` line; `result`: a `result` line; `control`: a line of the control protocol
   * (`control_request`, `control_response`, `control_cancel_request`); `lifecycle`: a `command_lifecycle` line.
   */
  kind: LineKind;
  /** The line's top-level fields. */
  fields: Record<string, unknown>;
}

/** Longer lines are never parsed: a fact is not worth parsing megabytes for. */
export const MAX_PARSED_LINE_BYTES = 1 << 20;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const TYPE_FIRST = encoder.encode('{"type":"');
const RESULT_VALUE = encoder.encode('result"');
const SYSTEM_VALUE = encoder.encode('system"');
const CONTROL_VALUE = encoder.encode("control_");
const LIFECYCLE_VALUE = encoder.encode('command_lifecycle"');

/** A byte search for one marker (Horspool): no decoding, no allocation per line. */
function markerSearch(text: string): (bytes: Uint8Array) => boolean {
  const needle = encoder.encode(text);
  const last = needle.length - 1;
  const shift = new Uint8Array(256).fill(needle.length);
  for (let i = 0; i < last; i++) shift[needle[i]] = last - i;
  return (bytes) => {
    for (let end = last; end < bytes.length; end += shift[bytes[end]]) {
      let i = last;
      let j = end;
      while (i >= 0 && bytes[j] === needle[i]) {
        i--;
        j--;
      }
      if (i < 0) return true;
    }
    return false;
  };
}

// A quote inside a JSON string is escaped, so these bytes only occur as a key and its string value.
const hasResultMarker = markerSearch('"type":"result"');
const hasInitMarker = markerSearch('"subtype":"init"');
const hasControlMarker = markerSearch('"type":"control_');
const hasLifecycleMarker = markerSearch('"type":"command_lifecycle"');
const CONTROL_TYPES = new Set(["control_request", "control_response", "control_cancel_request"]);

function hasAt(line: Uint8Array, bytes: Uint8Array, at: number): boolean {
  if (line.length < at + bytes.length) return false;
  for (let i = 0; i < bytes.length; i++) if (line[at + i] !== bytes[i]) return false;
  return true;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function classify(line: Uint8Array): RecognizedLine | null {
  if (line.length > MAX_PARSED_LINE_BYTES) return null;
  let fields: unknown;
  try {
    fields = JSON.parse(decoder.decode(line));
  } catch {
    return null;
  }
  if (!isObject(fields)) return null;
  if (fields.type === "result") return { kind: "result", fields };
  if (fields.type === "system" && fields.subtype === "init") return { kind: "init", fields };
  if (typeof fields.type === "string" && CONTROL_TYPES.has(fields.type)) return { kind: "control", fields };
  if (fields.type === "command_lifecycle") return { kind: "lifecycle", fields };
  return null;
}

/**
 * Recognises the CLI's `system`/`init`, `result`, control protocol and `command_lifecycle` lines by their
 * parsed top-level `type`/`subtype`, whatever the order of their keys, without parsing every line: a line is
 * parsed only when its bytes hold a marker (`"type":"result"`, `"subtype":"init"`, `"type":"control_`,
 * `"type":"command_lifecycle"`), and then only its top level decides. When the
 * line's first key is `type`, its value settles the question at once (the CLI prints most lines so).
 * Compact JSON is assumed (no blanks around the colon), as the CLI prints it.
 * @param line one stdout line, without its `\n`
 * @returns the line's kind and fields, or null for any other line (or one over the parse cap)
 */
export function recognizeLine(line: Uint8Array): RecognizedLine | null {
  if (hasAt(line, TYPE_FIRST, 0)) {
    const at = TYPE_FIRST.length;
    if (hasAt(line, RESULT_VALUE, at) || hasAt(line, CONTROL_VALUE, at) || hasAt(line, LIFECYCLE_VALUE, at)) {
      return classify(line);
    }
    if (hasAt(line, SYSTEM_VALUE, at) && hasInitMarker(line)) return classify(line);
    return null;
  }
  return hasResultMarker(line) || hasInitMarker(line) || hasControlMarker(line) || hasLifecycleMarker(line)
    ? classify(line)
    : null;
}
