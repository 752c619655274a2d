import assert from "node:assert/strict";
import { concatBytes } from "../../application/concat_bytes.ts";
import { LineSplitter } from "../../application/line_splitter.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string) => encoder.encode(text);
const texts = (lines: Uint8Array[]) => lines.map((line) => decoder.decode(line));

/** Feeds every chunk, then flushes; returns every line in order. */
function splitAll(splitter: LineSplitter, chunks: Uint8Array[]): Uint8Array[] {
  const lines = chunks.flatMap((chunk) => splitter.push(chunk));
  const last = splitter.flush();
  if (last !== null) lines.push(last);
  return lines;
}

function concat(parts: Uint8Array[]): Uint8Array {
  return concatBytes(parts).slice();
}

/** mulberry32: a small seeded PRNG so a failing case can be replayed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

Deno.test("LineSplitter returns the lines a chunk completes, without their newline", () => {
  const splitter = new LineSplitter(1024);
  assert.deepEqual(texts(splitter.push(bytes("one\ntwo\n"))), ["one", "two"]);
  assert.equal(splitter.flush(), null);
});

Deno.test("LineSplitter returns many lines from one chunk in order", () => {
  const splitter = new LineSplitter(1024);
  const lines = Array.from({ length: 500 }, (_, i) => `{"seq":${i}}`);
  assert.deepEqual(texts(splitter.push(bytes(lines.join("\n") + "\n"))), lines);
});

Deno.test("LineSplitter joins a line split across chunks", () => {
  const splitter = new LineSplitter(1024);
  assert.deepEqual(splitter.push(bytes('{"type":')), []);
  assert.deepEqual(splitter.push(bytes('"assis')), []);
  assert.deepEqual(texts(splitter.push(bytes('tant"}\n{"next"'))), ['{"type":"assistant"}']);
  assert.deepEqual(texts(splitter.push(bytes(":1}\n"))), ['{"next":1}']);
  assert.equal(splitter.flush(), null);
});

Deno.test("LineSplitter ends a pending line when a chunk starts with a newline", () => {
  const splitter = new LineSplitter(1024);
  splitter.push(bytes("abc"));
  assert.deepEqual(texts(splitter.push(bytes("\ndef\n"))), ["abc", "def"]);
});

Deno.test("LineSplitter returns empty lines as empty arrays", () => {
  const splitter = new LineSplitter(1024);
  assert.deepEqual(texts(splitter.push(bytes("\n\na\n\n"))), ["", "", "a", ""]);
  assert.deepEqual(texts(splitter.push(bytes("\n"))), [""]);
  assert.equal(splitter.flush(), null);
});

Deno.test("LineSplitter returns nothing for an empty chunk", () => {
  const splitter = new LineSplitter(1024);
  assert.deepEqual(splitter.push(new Uint8Array(0)), []);
  splitter.push(bytes("ab"));
  assert.deepEqual(splitter.push(new Uint8Array(0)), []);
  assert.deepEqual(texts([splitter.flush()!]), ["ab"]);
});

Deno.test("LineSplitter.flush() returns the trailing line without a newline, once", () => {
  const splitter = new LineSplitter(1024);
  assert.deepEqual(texts(splitter.push(bytes("first\nlast"))), ["first"]);
  const last = splitter.flush();
  assert.ok(last !== null);
  assert.equal(decoder.decode(last), "last");
  assert.equal(splitter.flush(), null);
});

Deno.test("LineSplitter.flush() returns null when nothing is pending", () => {
  assert.equal(new LineSplitter(1024).flush(), null);
});

Deno.test("LineSplitter keeps multi-byte UTF-8 split across chunks byte-exact", () => {
  const splitter = new LineSplitter(1024);
  const line = bytes('{"text":"café € 🚀 日本"}');
  const out: Uint8Array[] = [];
  // One byte at a time splits every multi-byte character.
  for (const byte of line) out.push(...splitter.push(Uint8Array.of(byte)));
  out.push(...splitter.push(bytes("\n")));
  assert.equal(out.length, 1);
  assert.deepEqual(out[0], line);
});

Deno.test("LineSplitter passes invalid UTF-8 bytes through untouched", () => {
  const splitter = new LineSplitter(1024);
  const raw = Uint8Array.of(0xff, 0xfe, 0xc3, 0x28, 0x0d, 0x00, 0xe2, 0x82);
  const out = splitter.push(raw.subarray(0, 3));
  out.push(...splitter.push(concat([raw.subarray(3), Uint8Array.of(0x0a)])));
  assert.deepEqual(out, [raw]);
});

Deno.test("LineSplitter does not let a later change to the chunk alter a kept line", () => {
  const splitter = new LineSplitter(1024);
  const chunk = bytes("abc");
  splitter.push(chunk);
  chunk.fill(0x78);
  assert.deepEqual(texts(splitter.push(bytes("def\n"))), ["abcdef"]);
});

Deno.test("LineSplitter cuts a line longer than maxLineBytes into pieces of exactly maxLineBytes", () => {
  const splitter = new LineSplitter(4);
  assert.deepEqual(texts(splitter.push(bytes("abcdefghij\n"))), ["abcd", "efgh", "ij"]);
});

Deno.test("LineSplitter cuts a long line into full pieces with no empty remainder", () => {
  const splitter = new LineSplitter(4);
  assert.deepEqual(texts(splitter.push(bytes("abcdefgh\nx\n"))), ["abcd", "efgh", "x"]);
});

Deno.test("LineSplitter keeps a line of exactly maxLineBytes whole", () => {
  const splitter = new LineSplitter(4);
  assert.deepEqual(texts(splitter.push(bytes("abcd\nefg\n"))), ["abcd", "efg"]);
  splitter.push(bytes("wx"));
  assert.deepEqual(texts(splitter.push(bytes("yz\n"))), ["wxyz"]);
  splitter.push(bytes("1234"));
  assert.deepEqual(texts([splitter.flush()!]), ["1234"]);
});

Deno.test("LineSplitter cuts a long line the same way when it arrives in pieces", () => {
  const splitter = new LineSplitter(4);
  const out = [
    ...splitter.push(bytes("ab")),
    ...splitter.push(bytes("cdef")),
    ...splitter.push(bytes("ghi")),
    ...splitter.push(bytes("j\nkl")),
  ];
  assert.deepEqual(texts(out), ["abcd", "efgh", "ij"]);
  assert.deepEqual(texts([splitter.flush()!]), ["kl"]);
});

Deno.test("LineSplitter emits a full piece as soon as it is complete, before the newline", () => {
  const splitter = new LineSplitter(4);
  assert.deepEqual(texts(splitter.push(bytes("abcdef"))), ["abcd"]);
  assert.deepEqual(texts(splitter.push(bytes("gh"))), []);
  assert.deepEqual(texts(splitter.push(bytes("i"))), ["efgh"]);
  assert.deepEqual(texts([splitter.flush()!]), ["i"]);
});

Deno.test("LineSplitter returns a 5 MB line fed in 64 KiB chunks whole and equal", () => {
  const size = 5 * 1024 * 1024;
  const line = new Uint8Array(size);
  for (let i = 0; i < size; i++) line[i] = 0x20 + (i * 7) % 90;
  const input = concat([line, bytes("\n")]);
  const splitter = new LineSplitter(128 * 1024 * 1024);
  const out: Uint8Array[] = [];
  for (let start = 0; start < input.length; start += 64 * 1024) {
    out.push(...splitter.push(input.subarray(start, start + 64 * 1024)));
  }
  assert.equal(splitter.flush(), null);
  assert.equal(out.length, 1);
  assert.equal(out[0].length, size);
  assert.deepEqual(out[0], line);
});

/** Random lines of random bytes (no `\n`); some empty, some long. */
function randomLines(random: () => number): Uint8Array[] {
  const count = Math.floor(random() * 20);
  return Array.from({ length: count }, () => {
    const roll = random();
    const length = roll < 0.15 ? 0 : roll < 0.9 ? Math.floor(random() * 40) : Math.floor(random() * 3000);
    return Uint8Array.from({ length }, () => {
      const byte = Math.floor(random() * 255);
      return byte >= 0x0a ? byte + 1 : byte;
    });
  });
}

/** Cuts `input` at random places into chunks (some empty). */
function randomChunks(input: Uint8Array, random: () => number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let start = 0;
  while (start < input.length) {
    const size = random() < 0.1 ? 0 : 1 + Math.floor(random() * (random() < 0.5 ? 8 : 600));
    chunks.push(input.subarray(start, start + size));
    start += size;
  }
  return chunks;
}

/** What the splitter must return for these lines: each cut into pieces of at most `max` bytes. */
function expectedPieces(lines: Uint8Array[], terminated: boolean, max: number): Uint8Array[] {
  return lines.flatMap((line, index) => {
    if (line.length === 0) return index === lines.length - 1 && !terminated ? [] : [line];
    const pieces: Uint8Array[] = [];
    for (let start = 0; start < line.length; start += max) pieces.push(line.subarray(start, start + max));
    return pieces;
  });
}

Deno.test("LineSplitter reassembles random lines split at random chunk boundaries exactly", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const random = prng(seed);
    const lines = randomLines(random);
    const terminated = random() < 0.5;
    const input = concat(
      lines.flatMap((line, i) => i < lines.length - 1 || terminated ? [line, bytes("\n")] : [line]),
    );
    const out = splitAll(new LineSplitter(1 << 20), randomChunks(input, random));
    assert.deepEqual(out, expectedPieces(lines, terminated, 1 << 20), `seed ${seed}`);
  }
});

Deno.test("LineSplitter cuts random long lines into the same pieces whatever the chunk boundaries", () => {
  for (let seed = 1; seed <= 300; seed++) {
    const random = prng(1_000_000 + seed);
    const max = 1 + Math.floor(random() * 64);
    const lines = randomLines(random);
    const terminated = random() < 0.5;
    const input = concat(
      lines.flatMap((line, i) => i < lines.length - 1 || terminated ? [line, bytes("\n")] : [line]),
    );
    const out = splitAll(new LineSplitter(max), randomChunks(input, random));
    assert.ok(out.every((piece) => piece.length <= max), `seed ${seed}`);
    assert.deepEqual(out, expectedPieces(lines, terminated, max), `seed ${seed} max ${max}`);
  }
});
