/** Token counts of a run, as the CLI's `result` line reports them (summed over the run's model turns). */
export interface RunUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** What the CLI's `result` line says about the run. */
export interface RunResult {
  isError: boolean;
  /** The result's text: the final answer, or what went wrong. */
  text: string | null;
  usage: RunUsage | null;
  sessionId: string | null;
  /** The last model turn's stop reason (`end_turn`, `max_tokens`, …), when known. */
  stopReason: string | null;
}

/** Options of {@link AnswerAssembler}. */
export interface AnswerAssemblerOptions {
  /** Show each tool the agent ran as a line of the answer (`⏺ Write(hello.txt)`). */
  toolTrace: boolean;
  /** The chat's directory: paths inside it are shown relative to it in the trace. */
  cwd: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const count = (value: unknown): number => typeof value === "number" && Number.isFinite(value) ? value : 0;

/** Reads the `usage` of a result line. */
function runUsage(value: unknown): RunUsage | null {
  if (!isObject(value)) return null;
  return {
    input_tokens: count(value.input_tokens),
    output_tokens: count(value.output_tokens),
    cache_creation_input_tokens: count(value.cache_creation_input_tokens),
    cache_read_input_tokens: count(value.cache_read_input_tokens),
  };
}

/** The input of a tool call that says best what it did, shortened to one line. */
function toolTarget(input: unknown, cwd: string): string {
  if (!isObject(input)) return "";
  const key = [
    "file_path",
    "notebook_path",
    "path",
    "command",
    "pattern",
    "url",
    "query",
    "description",
    "skill",
  ]
    .find((name) => typeof input[name] === "string");
  if (key === undefined) return "";
  let target = (input[key] as string).split("\n")[0];
  if (target.startsWith(`${cwd}/`)) target = target.slice(cwd.length + 1);
  return target.length > 80 ? `${target.slice(0, 77)}...` : target;
}

/**
 * Turns a run's CLI lines (stream-json, with `--include-partial-messages`) into the answer a compatible door
 * gives: the text the model writes, as it writes it (from the `stream_event` deltas), its text blocks
 * separated by a blank line, and with `toolTrace` a line per tool the agent ran. A message whose deltas did
 * not come (an older CLI, or partial messages off) is taken whole from its `assistant` line. Lines of
 * subagents (`parent_tool_use_id` set) are not the answer. Unknown lines are ignored.
 */
export class AnswerAssembler {
  #options: AnswerAssemblerOptions;
  #text = "";
  #separate = false;
  #streamed = new Set<string>();
  #stopReason: string | null = null;
  #result: RunResult | null = null;
  #sessionId: string | null = null;

  /** @param options the tool trace setting and the chat's directory */
  constructor(options: AnswerAssemblerOptions) {
    this.#options = options;
  }

  /** The answer so far. */
  get text(): string {
    return this.#text;
  }

  /** The run's result, once its `result` line came. */
  get result(): RunResult | null {
    return this.#result;
  }

  /** The session the run writes, once a line named it. */
  get sessionId(): string | null {
    return this.#sessionId;
  }

  /**
   * Takes one CLI line; returns the text it adds to the answer ("" when none).
   * @param line the parsed line
   */
  push(line: Json): string {
    if (typeof line.session_id === "string") this.#sessionId = line.session_id;
    if (line.parent_tool_use_id) return "";
    switch (line.type) {
      case "stream_event":
        return isObject(line.event) ? this.#streamEvent(line.event) : "";
      case "assistant":
        return isObject(line.message) ? this.#assistant(line.message) : "";
      case "result":
        this.#result = {
          isError: line.is_error === true,
          text: typeof line.result === "string" ? line.result : null,
          usage: runUsage(line.usage),
          sessionId: this.#sessionId,
          stopReason: typeof line.stop_reason === "string" ? line.stop_reason : this.#stopReason,
        };
        return "";
      default:
        return "";
    }
  }

  #streamEvent(event: Json): string {
    switch (event.type) {
      case "message_start":
        if (isObject(event.message) && typeof event.message.id === "string") {
          this.#streamed.add(event.message.id);
        }
        return "";
      case "content_block_delta": {
        const delta = event.delta;
        return isObject(delta) && delta.type === "text_delta" && typeof delta.text === "string"
          ? this.#add(delta.text)
          : "";
      }
      case "content_block_stop":
        this.#separate = this.#text !== "";
        return "";
      case "message_delta":
        if (isObject(event.delta) && typeof event.delta.stop_reason === "string") {
          this.#stopReason = event.delta.stop_reason;
        }
        return "";
      default:
        return "";
    }
  }

  #assistant(message: Json): string {
    const streamed = typeof message.id === "string" && this.#streamed.has(message.id);
    if (!streamed && typeof message.stop_reason === "string") this.#stopReason = message.stop_reason;
    let added = "";
    for (const block of Array.isArray(message.content) ? message.content : []) {
      if (!isObject(block)) continue;
      if (block.type === "text" && typeof block.text === "string" && !streamed) {
        added += this.#add(block.text);
        this.#separate = true;
      } else if (block.type === "tool_use" && this.#options.toolTrace && typeof block.name === "string") {
        const target = toolTarget(block.input, this.#options.cwd);
        added += this.#add(`⏺ ${block.name}${target ? `(${target})` : ""}`);
        this.#separate = true;
      }
    }
    return added;
  }

  #add(text: string): string {
    if (text === "") return "";
    const piece = this.#separate && this.#text !== "" ? `\n\n${text}` : text;
    this.#separate = false;
    this.#text += piece;
    return piece;
  }
}
