/** One raw SSE event block as it came over the wire, with its fields picked out. */
export interface SseBlock {
  /** The block's text, without the blank line that ends it. */
  raw: string;
  /** The `id:` (NaN when the block has none, as `gap` and comments). */
  id: number;
  event: string;
  data: string;
}

/**
 * Reads an SSE response block by block, keeping each block's raw text, so tests can compare the bytes
 * different watchers got for the same id. Comment blocks (keepalives) are skipped.
 */
export class SseBlockReader {
  #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";
  #queue: SseBlock[] = [];

  /** @param body the response body */
  constructor(body: ReadableStream<Uint8Array>) {
    this.#reader = body.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next block, or null at the end of the stream (or when the connection broke). */
  async next(): Promise<SseBlock | null> {
    while (this.#queue.length === 0) {
      let chunk: ReadableStreamReadResult<string>;
      try {
        chunk = await this.#reader.read();
      } catch {
        return null;
      }
      if (chunk.done) return null;
      this.#buffer += chunk.value;
      let start = 0;
      for (let end = this.#buffer.indexOf("\n\n"); end !== -1; end = this.#buffer.indexOf("\n\n", start)) {
        const raw = this.#buffer.slice(start, end);
        start = end + 2;
        if (!raw.startsWith(":")) this.#queue.push(parseBlock(raw));
      }
      this.#buffer = this.#buffer.slice(start);
    }
    return this.#queue.shift()!;
  }

  /** Stops reading, as a client that goes away. */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}

/**
 * Reads blocks until `stop` says so or the stream ends.
 * @param reader where the blocks come from
 * @param stop true for the last block wanted (default: read to the end)
 * @returns what was read
 */
export async function readBlocks(
  reader: SseBlockReader,
  stop: (block: SseBlock) => boolean = () => false,
): Promise<SseBlock[]> {
  const blocks: SseBlock[] = [];
  for (let block = await reader.next(); block; block = await reader.next()) {
    blocks.push(block);
    if (stop(block)) break;
  }
  return blocks;
}

function parseBlock(raw: string): SseBlock {
  let id = NaN;
  let event = "message";
  const data: string[] = [];
  for (const line of raw.split("\n")) {
    const colon = line.indexOf(":");
    const field = line.slice(0, colon);
    const value = line.slice(colon + 2);
    if (field === "id") id = Number(value);
    else if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  return { raw, id, event, data: data.join("\n") };
}
