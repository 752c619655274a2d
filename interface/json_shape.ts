const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;
/** The most bytes of a field name kept to name it in an error. */
const MAX_NAME_BYTES = 128;

/** How much structure JSON text may have. */
export interface JsonShapeLimits {
  /** The deepest nesting allowed; the top-level object is depth 1. */
  maxDepth: number;
  /** The most array items and object entries in all (each `,` and each `[`/`{` counts one). */
  maxValues: number;
}

/** Where and how JSON text exceeds its limits: the top-level field it happens in (null outside any). */
export interface ShapeProblem {
  field: string | null;
  message: string;
}

/**
 * Measures JSON text's shape while it arrives, chunk by chunk, in one pass over its bytes and without
 * parsing it, so a body nested too deep or holding too many values is refused before it is read in full and
 * before `JSON.parse`, the schema or anything recursive sees it. Brackets and commas inside strings do not
 * count. It keeps the name of the top-level field being read (the last string at depth 1), to name it.
 */
export class JsonShapeScanner {
  readonly #limits: JsonShapeLimits;
  #depth = 0;
  #values = 0;
  #inString = false;
  #escaped = false;
  /** Bytes of the string being read at depth 1 (the candidate field name), null elsewhere. */
  #name: number[] | null = null;
  #field: string | null = null;

  /** @param limits the shape allowed */
  constructor(limits: JsonShapeLimits) {
    this.#limits = limits;
  }

  /** Scans the next bytes; returns the first limit they pass, or null. */
  push(bytes: Uint8Array): ShapeProblem | null {
    const strings = new StringSkipper(bytes);
    for (let i = 0; i < bytes.length; i++) {
      if (this.#inString) {
        i = this.#stringPart(bytes, i, strings);
        continue;
      }
      const byte = bytes[i];
      if (byte === QUOTE) {
        this.#inString = true;
        this.#name = this.#depth === 1 ? [] : null;
      } else if (byte === OPEN_BRACE || byte === OPEN_BRACKET) {
        this.#values++;
        if (++this.#depth > this.#limits.maxDepth) {
          return this.#problem(`nests deeper than ${this.#limits.maxDepth} levels`);
        }
      } else if (byte === CLOSE_BRACE || byte === CLOSE_BRACKET) {
        this.#depth--;
      } else if (byte !== COMMA) {
        continue;
      } else {
        this.#values++;
      }
      if (this.#values > this.#limits.maxValues) {
        return this.#problem(`holds more than ${this.#limits.maxValues} values in all`);
      }
    }
    return null;
  }

  #problem(message: string): ShapeProblem {
    return { field: this.#field, message };
  }

  /**
   * Reads string bytes from `i`, jumping (natively) to the next quote or backslash; returns the index of the
   * last byte it consumed.
   */
  #stringPart(bytes: Uint8Array, i: number, strings: StringSkipper): number {
    if (this.#escaped) {
      this.#escaped = false;
      this.#keepName(bytes, i, i + 1);
      return i;
    }
    const stop = strings.nextSpecial(i);
    this.#keepName(bytes, i, stop === -1 ? bytes.length : stop);
    if (stop === -1) return bytes.length - 1;
    if (bytes[stop] === BACKSLASH) {
      this.#escaped = true;
      this.#keepName(bytes, stop, stop + 1);
      return stop;
    }
    this.#inString = false;
    if (this.#name !== null) this.#field = new TextDecoder().decode(new Uint8Array(this.#name));
    this.#name = null;
    return stop;
  }

  /** Keeps bytes `from`..`to` of a string at depth 1, up to {@link MAX_NAME_BYTES} of it. */
  #keepName(bytes: Uint8Array, from: number, to: number): void {
    const name = this.#name;
    if (name === null) return;
    for (let k = from; k < to && name.length < MAX_NAME_BYTES; k++) name.push(bytes[k]);
  }
}

/**
 * Finds, in one chunk, the next byte that matters inside a string (a quote or a backslash) with native
 * searches, remembering where the next of each is, so each byte of a chunk is searched at most once per
 * kind (a long string full of escapes is not searched again for its closing quote at every escape).
 */
class StringSkipper {
  /** The next quote and backslash at or after the last search (-1: none left; -2: not searched yet). */
  #next = { [QUOTE]: -2, [BACKSLASH]: -2 };

  constructor(readonly bytes: Uint8Array) {}

  #after(byte: typeof QUOTE | typeof BACKSLASH, from: number): number {
    const known = this.#next[byte];
    if (known !== -1 && known < from) this.#next[byte] = this.bytes.indexOf(byte, from);
    return this.#next[byte];
  }

  /** The index of the next quote or backslash at or after `from`, or -1. */
  nextSpecial(from: number): number {
    const quote = this.#after(QUOTE, from);
    const backslash = this.#after(BACKSLASH, from);
    if (quote === -1 || backslash === -1) return Math.max(quote, backslash);
    return Math.min(quote, backslash);
  }
}
