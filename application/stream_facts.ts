import type { Metrics } from "./metrics.ts";
import { type RecognizedLine, recognizeLine } from "./recognize_line.ts";

/**
 * What a chat learns from its CLI's stdout: how many lines and bytes it printed, the session id its
 * `init` line announces, and the cost its `result` lines report (into the metrics).
 */
export class StreamFacts {
  #lines = 0;
  #bytes = 0;
  #sessionId: string | null;
  #sawInit = false;
  #metrics: Metrics;

  /**
   * @param sessionId the session id known before the CLI speaks (the request's), or null
   * @param metrics where streamed lines and reported costs are counted
   */
  constructor(sessionId: string | null, metrics: Metrics) {
    this.#sessionId = sessionId;
    this.#metrics = metrics;
  }

  /** Lines seen so far. */
  get lines(): number {
    return this.#lines;
  }

  /** Bytes seen so far (without the newlines). */
  get bytes(): number {
    return this.#bytes;
  }

  /** The session the chat writes: the first `init` line's, else the one known at the start. */
  get sessionId(): string | null {
    return this.#sessionId;
  }

  /**
   * Takes one stdout line in (without its `\n`); only `init` and `result` lines are parsed.
   * @param recognized what {@link recognizeLine} made of the line, when the caller has it already
   */
  observe(line: Uint8Array, recognized: RecognizedLine | null = recognizeLine(line)): void {
    this.#lines++;
    this.#bytes += line.length;
    this.#metrics.lineStreamed(line.length);
    if (recognized === null) return;
    const { fields } = recognized;
    if (recognized.kind === "init") {
      if (this.#sawInit) return;
      this.#sawInit = true;
      if (typeof fields.session_id === "string") this.#sessionId = fields.session_id;
    } else if (recognized.kind === "result" && typeof fields.total_cost_usd === "number") {
      this.#metrics.costReported(fields.total_cost_usd);
    }
  }
}
