/** One parsed SSE event. */
export interface SseEvent {
  event: string;
  data: string;
  /** The event's `id:`, when it has one. */
  id?: string;
}

/** Parses SSE text into events (comments skipped, multi-line data joined with `\n`). */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split("\n\n")) {
    if (block.trim() === "") continue;
    let event = "message";
    let id: string | undefined;
    const data: string[] = [];
    let sawField = false;
    for (const line of block.split("\n")) {
      if (line.startsWith(":")) continue;
      sawField = true;
      const colon = line.indexOf(":");
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? "" : line.slice(colon + 1);
      if (value.startsWith(" ")) value = value.slice(1);
      if (field === "event") event = value;
      else if (field === "data") data.push(value);
      else if (field === "id") id = value;
    }
    if (sawField) events.push({ event, data: data.join("\n"), ...(id === undefined ? {} : { id }) });
  }
  return events;
}

/** Reads a whole SSE response into events. */
export async function readSse(response: Response): Promise<SseEvent[]> {
  return parseSse(await response.text());
}

/**
 * Reads SSE events one at a time from a response, for tests that act mid-stream.
 */
export class SseReader {
  #reader: ReadableStreamDefaultReader<string>;
  #buffer = "";
  #queue: SseEvent[] = [];
  /** Everything read so far, raw. */
  raw = "";

  constructor(response: Response) {
    this.#reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  }

  /** The next event, or null at the end of the stream. */
  async next(): Promise<SseEvent | null> {
    while (this.#queue.length === 0) {
      const { value, done } = await this.#reader.read();
      if (done) return null;
      this.raw += value;
      this.#buffer += value;
      const end = this.#buffer.lastIndexOf("\n\n");
      if (end !== -1) {
        this.#queue.push(...parseSse(this.#buffer.slice(0, end + 2)));
        this.#buffer = this.#buffer.slice(end + 2);
      }
    }
    return this.#queue.shift()!;
  }

  /** Reads until an event matches, returning it (and failing at the end of the stream). */
  async until(predicate: (event: SseEvent) => boolean): Promise<SseEvent> {
    for (;;) {
      const event = await this.next();
      if (event === null) throw new Error(`stream ended before the expected event; got:\n${this.raw}`);
      if (predicate(event)) return event;
    }
  }

  /** Every remaining event. */
  async rest(): Promise<SseEvent[]> {
    const events: SseEvent[] = [];
    for (let event = await this.next(); event; event = await this.next()) events.push(event);
    return events;
  }

  /** Stops reading (as a client that disconnects). */
  async cancel(): Promise<void> {
    await this.#reader.cancel().catch(() => {});
  }
}
