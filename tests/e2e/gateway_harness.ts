/**
 * One real gateway (`main.ts` as its own process) wired to the real `claude` CLI and an in-process
 * {@link FakeMessagesApi}, plus the helpers the gateway end-to-end tests share: chats over real HTTP,
 * answers scripted per prompt marker, and a census of the CLI processes this gateway started.
 *
 * @module
 */

import assert from "node:assert/strict";
import { processesWithHome } from "../../testkit/processes.ts";
import { SERVER_AUTH, type ServerProcess, spawnServer } from "../../testkit/server_process.ts";
import type { Json } from "./chat_lines.ts";
import { type ChatOutcome, parseChatOutcome } from "./chat_outcome.ts";
import { resolveClaudePath } from "./claude_cli.ts";
import { type FakeMessagesApi, type ReplySpec, startFakeMessagesApi } from "./fake_messages_api.ts";
import { latestPromptText, type RecordedRequest } from "./recorded_request.ts";
import { sleep, waitUntil, within } from "./waiting.ts";

export { assistantText, type Json, userText } from "./chat_lines.ts";
export type { ChatOutcome } from "./chat_outcome.ts";
export { sleep, waitUntil, within } from "./waiting.ts";

/** Decides the fake's answer for the requests of one chat (found by its prompt marker). */
export type Script = (request: RecordedRequest) => ReplySpec | undefined;

/** A marker unique to one chat, to put in its prompt: the fake routes answers by it. */
export function newMarker(label: string): string {
  return `${label}-${crypto.randomUUID().slice(0, 8)}`;
}

/** A gateway under test, its fake Messages API and its private directories. */
export class Gateway {
  /** Per-marker answers; see {@link Gateway.script}. */
  readonly #scripts = new Map<string, Script>();
  #cwds = 0;
  /** The gateway's variables, to start it again the same way ({@link Gateway.restart}). */
  #env: Record<string, string> = {};

  private constructor(
    /** The gateway process (a new one after {@link Gateway.restart}). */
    public server: ServerProcess,
    readonly fake: FakeMessagesApi,
    /** Temp root holding `home/` and every chat's cwd. */
    readonly root: string,
    /** The `HOME` of the gateway and so of every CLI it starts (unique: it identifies our CLIs). */
    readonly home: string,
    /** The gateway's `TMPDIR`: its temp root (`claudecode2api-*`, each chat's CLI's TMPDIR inside) goes here. */
    readonly tmp: string,
  ) {
    fake.respondWith((request) => {
      const prompt = latestPromptText(request);
      for (const [marker, script] of this.#scripts) if (prompt.includes(marker)) return script(request);
      return undefined;
    });
  }

  /**
   * Starts the fake, then the gateway pointed at it with the real CLI and a temp `HOME`. `E2E_SANDBOX=bwrap`
   * in the test's environment runs every gateway with `SANDBOX=bwrap` (unless `env` says otherwise).
   * @param env more gateway variables
   */
  static async start(env: Record<string, string> = {}): Promise<Gateway> {
    const claude = resolveClaudePath();
    const root = await Deno.makeTempDir({ prefix: "cc2api-gateway-e2e-" });
    const home = `${root}/home`;
    await Deno.mkdir(home);
    const tmp = `${root}/tmp`;
    await Deno.mkdir(tmp);
    const sandbox = env.SANDBOX ?? Deno.env.get("E2E_SANDBOX");
    if (sandbox === "bwrap") {
      // The state the sandbox binds writable: the gateway has no write permission to make it.
      await Deno.mkdir(`${home}/.claude`);
      await Deno.writeTextFile(`${home}/.claude.json`, "{}");
    }
    const fake = await startFakeMessagesApi({ defaultText: "Hello from the fake Messages API." });
    try {
      const variables = {
        // Deno finds its cache through HOME, which the gateway gets a temp one of: keep the warm cache.
        CLAUDE_PATH: claude,
        HOME: home,
        ANTHROPIC_BASE_URL: fake.url,
        ANTHROPIC_API_KEY: "test",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        CLAUDE_CODE_MAX_RETRIES: "0",
        // A private system temp directory, so what the gateway leaves there is this gateway's.
        TMPDIR: tmp,
        ...(sandbox ? { SANDBOX: sandbox } : {}),
        ...env,
      };
      const gateway = new Gateway(await spawnServer(variables), fake, root, home, tmp);
      gateway.#env = variables;
      return gateway;
    } catch (error) {
      await fake.close();
      await Deno.remove(root, { recursive: true }).catch(() => {});
      throw error;
    }
  }

  /** Stops the gateway (as a restart does: SIGTERM) and starts it again with the same variables and `HOME`. */
  async restart(): Promise<void> {
    await this.server.stop();
    this.server = await spawnServer(this.#env);
  }

  /** The gateway's base URL (a new one after a restart). */
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
    return parseChatOutcome(processId, raw);
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

  /**
   * The temporary directories the gateway made and still has: its temp roots (`claudecode2api-*`) and the
   * chats' directories in them (one per running CLI, its `TMPDIR`), as paths relative to {@link tmp}.
   */
  async tempDirs(): Promise<string[]> {
    const found: string[] = [];
    for await (const root of Deno.readDir(this.tmp)) {
      found.push(root.name);
      if (!root.isDirectory) continue;
      for await (const chat of Deno.readDir(`${this.tmp}/${root.name}`)) {
        found.push(`${root.name}/${chat.name}`);
      }
    }
    return found.sort();
  }

  /** What {@link tempDirs} found once the gateway had stopped (null until {@link close}). */
  tempDirsAfterStop: string[] | null = null;

  /** Stops the gateway (and so every CLI), closes the fake, removes the temp directories. */
  async close(): Promise<void> {
    try {
      await this.server.stop();
      this.tempDirsAfterStop = await this.tempDirs().catch((error) => [`(unreadable: ${error})`]);
    } finally {
      await this.fake.close();
      await Deno.remove(this.root, { recursive: true }).catch(() => {});
    }
  }
}
