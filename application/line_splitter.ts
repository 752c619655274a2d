import { concatBytes } from "./concat_bytes.ts";

const NEWLINE = 0x0a;

/**
 * Splits a byte stream into lines without decoding it, so every line reaches the client byte for byte
 * (UTF-8 split across reads included). A line longer than `maxLineBytes` is cut into pieces of at most that
 * size so one runaway line cannot hold unbounded memory.
 */
export class LineSplitter {
  #parts: Uint8Array[] = [];
  #partBytes = 0;

  /** @param maxLineBytes the longest line kept whole */
  constructor(readonly maxLineBytes: number) {}

  /** Feeds one chunk; returns the lines it completes, without their `\n`. */
  push(chunk: Uint8Array): Uint8Array[] {
    const lines: Uint8Array[] = [];
    let start = 0;
    while (start < chunk.length) {
      const end = chunk.indexOf(NEWLINE, start);
      if (end === -1) {
        this.#keep(chunk.subarray(start), lines);
        break;
      }
      const piece = chunk.subarray(start, end);
      if (this.#parts.length === 0 && piece.length <= this.maxLineBytes) {
        // The common case: a whole line inside one chunk needs no copy.
        lines.push(piece);
      } else {
        this.#keep(piece, lines);
        lines.push(this.#take());
      }
      start = end + 1;
    }
    return lines;
  }

  /** The unterminated last line, if any. */
  flush(): Uint8Array | null {
    return this.#parts.length === 0 ? null : this.#take();
  }

  #keep(bytes: Uint8Array, lines: Uint8Array[]): void {
    let rest = bytes;
    while (this.#partBytes + rest.length > this.maxLineBytes) {
      const room = this.maxLineBytes - this.#partBytes;
      this.#parts.push(rest.slice(0, room));
      this.#partBytes += room;
      lines.push(this.#take());
      rest = rest.subarray(room);
    }
    // Copy: the reader may reuse or keep the chunk's buffer.
    if (rest.length > 0) {
      this.#parts.push(rest.slice());
      this.#partBytes += rest.length;
    }
  }

  #take(): Uint8Array {
    const line = concatBytes(this.#parts, this.#partBytes);
    this.#parts = [];
    this.#partBytes = 0;
    return line;
  }
}
