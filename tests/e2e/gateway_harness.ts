/**
 * One real gateway (`main.ts` as its own process) wired to the real `claude` CLI and an in-process
 * {@link FakeMessagesApi}, plus the helpers the gateway end-to-end tests share: chats over real HTTP,
 * answers scripted per prompt marker, and a census of the CLI processes this gateway started.
 *
 * @module
 */

import assert from "node:assert/strict";
import { SERVER_AUTH, type ServerProcess, spawnServer } from "../../testkit/server_process.ts";
import { parseSse, type SseEvent } from "../../testkit/sse_client.ts";
import { resolveClaudePath } from "./claude_cli.ts";
import {
  type FakeMessagesApi,
  type RecordedRequest,
  type ReplySpec,
  startFakeMessagesApi,
} from "./fake_messages_api.ts";

/** A JSON object, as parsed from a CLI line or an event's data. */
export type Json = Record<string, unknown>;

/** Decides the fake's answer for the requests of one chat (found by its prompt marker). */
export type Script = (request: RecordedRequest) => ReplySpec | undefined;

/** A chat read to its end. */
export interface ChatOutcome {
  /** The `X-Process-ID` header. */
  processId: string;
  /** The whole SSE body as received. */
  raw: string;
  /** Every SSE event, in order. */
  events: SseEvent[];
  /** The `data` of every `message` event, parsed. */
  lines: Json[];
  /** The CLI's `system/init` line (fails the test when missing). */
  init: Json;
  /** The CLI's `result` line, if it printed one. */
  result: Json | undefined;
  /** The `error` event's data, if any. */
  error: Json | undefined;
  /** The `done` event's data (fails the test when missing or not last). */
  done: Json;
}

/** Resolves `promise`, or rejects after `ms` saying what did not happen. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `condition()` holds, polling; fails after `timeoutMs` with `what`. */
export async function waitUntil(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Sleeps `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A marker unique to one chat, to put in its prompt: the fake routes answers by it. */
export function newMarker(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/** Text of an `assistant` line's text blocks. */
export function assistantText(line: Json): string {
  const content = (line.message as { content?: { type: string; text?: string }[] } | undefined)?.content ??
    [];
  return content.filter((block) => block.type === "text").map((block) => block.text ?? "").join("");
}

/** Text of a `user` line's text blocks and tool results (string contents only). */
export function userText(line: Json): string {
  const content = (line.message as { content?: unknown } | undefined)?.content;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((block) =>
    typeof block?.text === "string" ? block.text : typeof block?.content === "string" ? block.content : ""
  ).join("\n");
}

/** The text of the latest user message that has text of its own (not tool results, not reminders). */
function latestPromptText(request: RecordedRequest): string {
  for (const message of [...request.messages].reverse()) {
    if (message.role !== "user") continue;
    const texts = message.content
      .filter((block) => block.type === "text" && typeof block.text === "string")
      .map((block) => block.text!)
      .filter((text) => !text.trimStart().startsWith("<system-reminder>"));
    if (texts.length > 0) return texts.join("\n");
  }
  return "";
}

/** Pids of live processes whose environment holds exactly `HOME=<home>`, except `exclude`. */
function processesWithHome(home: string, exclude: number[]): number[] {
  const needle = `\0HOME=${home}\0`;
  const pids: number[] = [];
  for (const entry of Deno.readDirSync("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    const pid = Number(entry.name);
    if (exclude.includes(pid)) continue;
    try {
      const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
      const state = stat.slice(stat.lastIndexOf(")") + 2)[0];
      if (state === "Z" || state === "X") continue;
      const environ = `\0${Deno.readTextFileSync(`/proc/${pid}/environ`)}`;
      if (environ.includes(needle)) pids.push(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}

/** A gateway under test, its fake Messages API and its private directories. */
export class Gateway {
  /** Per-marker answers; see {@link Gateway.script}. */
  readonly #scripts = new Map<string, Script>();
  #cwds = 0;

  private constructor(
    readonly server: ServerProcess,
    readonly fake: FakeMessagesApi,
    /** Temp root holding `home/` and every chat's cwd. */
    readonly root: string,
    /** The `HOME` of the gateway and so of every CLI it starts (unique: it identifies our CLIs). */
    readonly home: string,
  ) {
    fake.respondWith((request) => {
      const prompt = latestPromptText(request);
      for (const [marker, script] of this.#scripts) if (prompt.includes(marker)) return script(request);
      return undefined;
    });
  }

  /**
   * Starts the fake, then the gateway pointed at it with the real CLI and a temp `HOME`.
   * @param env more gateway variables
   */
  static async start(env: Record<string, string> = {}): Promise<Gateway> {
    const claude = resolveClaudePath();
    const root = await Deno.makeTempDir({ prefix: "cc2api-gateway-e2e-" });
    const home = `${root}/home`;
    await Deno.mkdir(home);
    const fake = await startFakeMessagesApi({ defaultText: "Hello from the fake Messages API." });
    try {
      const server = await spawnServer({
        // Deno finds its cache through HOME, which the gateway gets a temp one of: keep the warm cache.
        CLAUDE_PATH: claude,
        HOME: home,
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_API_KEY: "test",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        CLAUDE_CODE_MAX_RETRIES: "0",
        ...env,
      });
      return new Gateway(server, fake, root, home);
    } catch (error) {
      await fake.close();
      await Deno.remove(root, { recursive: true }).catch(() => {});
      throw error;
    }
  }

  /** The gateway's base URL. */
  get url(): string {
    return this.server.url;
  }

  /** A fresh empty directory to use as a chat's `cwd`. */
  async newCwd(label = "cwd"): Promise<string> {
    const path = `${this.root}/${label}-${++this.#cwds}`;
    await Deno.mkdir(path);
    return path;
  }

  /** Answers the requests whose latest prompt contains `marker` with `script` (until the gateway closes). */
  script(marker: string, script: Script): void {
    this.#scripts.set(marker, script);
  }

  /** The `/v1/messages` requests whose body mentions `marker`. */
  requestsWith(marker: string): RecordedRequest[] {
    return this.fake.messageRequests.filter((request) => request.rawBody.includes(marker));
  }

  /** The one `/v1/messages` request whose latest prompt contains `marker`. */
  requestFor(marker: string): RecordedRequest {
    const found = this.fake.messageRequests.filter((request) => latestPromptText(request).includes(marker));
    assert.equal(found.length, 1, `expected one request for ${marker}, got ${found.length}`);
    return found[0];
  }

  /** Resolves with the first request whose latest prompt contains `marker`. */
  waitForPrompt(marker: string, timeoutMs = 20_000): Promise<RecordedRequest> {
    return this.fake.waitForRequest((request) => latestPromptText(request).includes(marker), timeoutMs);
  }

  /** `POST /chat` with `body`; the response is not read. */
  post(body: unknown, init: { signal?: AbortSignal } = {}): Promise<Response> {
    return fetch(`${this.url}/chat`, {
      method: "POST",
      headers: { ...SERVER_AUTH, "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: init.signal,
    });
  }

  /** `GET /processes`. */
  async processes(): Promise<{ processes: Json[]; count: number }> {
    const response = await fetch(`${this.url}/processes`, { headers: SERVER_AUTH });
    assert.equal(response.status, 200);
    return await response.json();
  }

  /** `DELETE /chat/{id}`, returning the status and the JSON body. */
  async cancel(processId: string): Promise<{ status: number; body: Json }> {
    const response = await fetch(`${this.url}/chat/${processId}`, { method: "DELETE", headers: SERVER_AUTH });
    return { status: response.status, body: await response.json() };
  }

  /** Runs one chat to its end and checks the stream's frame: messages, maybe an error, then `done`. */
  async chat(body: Json, timeoutMs = 30_000): Promise<ChatOutcome> {
    const response = await this.post(body);
    if (response.status !== 200) {
      assert.fail(`POST /chat answered ${response.status}: ${await response.text()}`);
    }
    const processId = response.headers.get("X-Process-ID") ?? "";
    const raw = await within(
      response.text(),
      timeoutMs,
      `the chat stream to end (${JSON.stringify(body.prompt)})`,
    );
    return this.outcome(processId, raw);
  }

  /** Parses a whole chat stream and checks its frame. */
  outcome(processId: string, raw: string): ChatOutcome {
    const events = parseSse(raw);
    const last = events.at(-1);
    assert.equal(last?.event, "done", `the stream must end with done:\n${raw.slice(-3000)}`);
    const ends = events.filter((event) => event.event !== "message");
    assert.ok(ends.length <= 2, `only error and done may follow the messages:\n${raw.slice(-3000)}`);
    assert.ok(
      events.slice(0, events.length - ends.length).every((event) => event.event === "message"),
      "error/done come after every message",
    );
    const lines = events.filter((event) => event.event === "message").map((event) =>
      JSON.parse(event.data) as Json
    );
    const init = lines.find((line) => line.type === "system" && line.subtype === "init");
    assert.ok(init, `no init line in:\n${raw.slice(0, 3000)}`);
    const error = events.find((event) => event.event === "error");
    return {
      processId,
      raw,
      events,
      lines,
      init,
      result: lines.findLast((line) => line.type === "result"),
      error: error ? JSON.parse(error.data) : undefined,
      done: JSON.parse(last.data),
    };
  }

  /** Asserts the chat ended well: exit 0, no error event, a successful result. */
  assertSuccess(outcome: ChatOutcome): void {
    const context = `${outcome.raw.slice(-3000)}\n--- server output tail ---\n${
      this.server.output().slice(-2000)
    }`;
    assert.equal(outcome.error, undefined, `unexpected error event:\n${context}`);
    assert.equal(outcome.done.exit_code, 0, context);
    assert.equal(outcome.done.process_id, outcome.processId);
    assert.equal(outcome.result?.subtype, "success", context);
    assert.equal(outcome.result?.is_error, false, context);
  }

  /** Pids of the CLIs (and their children) this gateway started that are still alive. */
  cliPids(): number[] {
    return processesWithHome(this.home, [this.server.child.pid, Deno.pid]);
  }

  /** Waits until no CLI of this gateway remains, and no stream of the fake is still open. */
  async waitNoCli(timeoutMs = 10_000): Promise<void> {
    await waitUntil(
      () => this.cliPids().length === 0,
      timeoutMs,
      `no CLI process left (have ${this.cliPids()})`,
    );
    await waitUntil(() => this.fake.openStreams === 0, timeoutMs, "the fake's streams to close");
  }

  /** Waits until `GET /processes` lists no chat (the gateway notices an exit a moment after /proc does). */
  async waitNoProcesses(timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let listed = await this.processes(); listed.count > 0; listed = await this.processes()) {
      if (Date.now() > deadline) {
        assert.fail(`GET /processes still lists ${JSON.stringify(listed.processes)}`);
      }
      await sleep(25);
    }
  }

  /** Stops the gateway (and so every CLI), closes the fake, removes the temp directories. */
  async close(): Promise<void> {
    try {
      await this.server.stop();
    } finally {
      await this.fake.close();
      await Deno.remove(this.root, { recursive: true }).catch(() => {});
    }
  }
}
