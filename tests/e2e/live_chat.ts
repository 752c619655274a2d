/**
 * A chat of the gateway under test, talked to while it runs: its stream read as it comes (every event kept,
 * taken in order by {@link LiveChat.next}), and the routes of an interactive chat (follow-ups, permission
 * answers, interrupt, settings, end) as one call each.
 *
 * @module
 */

import assert from "node:assert/strict";
import { SERVER_AUTH } from "../../testkit/server_process.ts";
import { type SseEvent, SseReader } from "../../testkit/sse_client.ts";
import type { Json } from "./chat_lines.ts";
import type { Gateway } from "./gateway_harness.ts";
import { within } from "./waiting.ts";

/** An HTTP answer of the gateway: its status and JSON body. */
export interface Answer {
  status: number;
  body: Json;
}

/** The data of a `permission_request` event. */
export interface PermissionRequest {
  request_id: string;
  tool_name: string;
  tool_use_id: string | null;
  input: Json;
  description: string | null;
  requires_user_interaction: boolean;
  expires_at: string;
  suggestions: unknown[];
}

/** A running chat and its stream. */
export class LiveChat {
  /** Every event read so far, in order. */
  readonly events: SseEvent[] = [];
  #reader: SseReader;
  /** Index of the first event {@link next} has not handed out yet. */
  #taken = 0;
  #ended = false;
  #reading: Promise<void> | null = null;

  private constructor(
    readonly gateway: Gateway,
    /** `X-Process-ID`. */
    readonly id: string,
    /** `X-Session-ID`, when the gateway sent one. */
    readonly sessionId: string | null,
    response: Response,
  ) {
    this.#reader = new SseReader(response);
  }

  /**
   * `POST /chat` with `body`, which must answer 200.
   * @param gateway the gateway under test
   * @param body the request
   */
  static async open(gateway: Gateway, body: Json): Promise<LiveChat> {
    const response = await gateway.post(body);
    if (response.status !== 200) {
      assert.fail(`POST /chat answered ${response.status}: ${await response.text()}`);
    }
    return new LiveChat(
      gateway,
      response.headers.get("X-Process-ID")!,
      response.headers.get("X-Session-ID"),
      response,
    );
  }

  /** The CLI lines streamed so far, parsed. */
  get lines(): Json[] {
    return this.events.filter((event) => event.event === "message").map((event) => JSON.parse(event.data));
  }

  /** The data of every event named `name` so far (e.g. `permission_resolved`). */
  eventsNamed(name: string): Json[] {
    return this.events.filter((event) => event.event === name).map((event) => JSON.parse(event.data));
  }

  /**
   * The next event not handed out yet that matches (those before it are passed over), read from the stream
   * if need be.
   * @throws {Error} when the stream ends first or nothing matches within `timeoutMs`
   */
  async next(predicate: (event: SseEvent) => boolean, what: string, timeoutMs = 30_000): Promise<SseEvent> {
    let abandoned = false;
    const search = async () => {
      while (!abandoned) {
        while (this.#taken < this.events.length) {
          const event = this.events[this.#taken++];
          if (predicate(event)) return event;
        }
        if (this.#ended) throw new Error(`the stream ended before ${what}:\n${this.#tail()}`);
        await this.#readMore();
      }
      throw new Error(`gave up waiting for ${what}`);
    };
    const found = search();
    // After a timeout the search stops at its next event (which stays for the next search).
    found.catch(() => {});
    try {
      return await within(found, timeoutMs, what);
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : error}\n${this.#tail()}`);
    } finally {
      abandoned = true;
    }
  }

  /** Reads one more event into {@link events}: one read at a time, however many searches wait. */
  #readMore(): Promise<void> {
    this.#reading ??= this.#reader.next().then((event) => {
      this.#reading = null;
      if (event === null) this.#ended = true;
      else this.events.push(event);
    });
    return this.#reading;
  }

  /** The next CLI line that matches. */
  async nextLine(predicate: (line: Json) => boolean, what: string, timeoutMs?: number): Promise<Json> {
    const event = await this.next(
      (event) => event.event === "message" && predicate(JSON.parse(event.data)),
      what,
      timeoutMs,
    );
    return JSON.parse(event.data);
  }

  /** The next `result` line. */
  nextResult(what = "a result line", timeoutMs?: number): Promise<Json> {
    return this.nextLine((line) => line.type === "result", what, timeoutMs);
  }

  /** The next `permission_request` event's data. */
  async nextPermissionRequest(what = "a permission request", timeoutMs?: number): Promise<PermissionRequest> {
    const event = await this.next((event) => event.event === "permission_request", what, timeoutMs);
    return JSON.parse(event.data);
  }

  /** The next `permission_resolved` event's data. */
  async nextPermissionResolved(what = "a permission resolution", timeoutMs?: number): Promise<Json> {
    const event = await this.next((event) => event.event === "permission_resolved", what, timeoutMs);
    return JSON.parse(event.data);
  }

  /** Reads the stream to its end and returns the `done` event's data. */
  async done(timeoutMs = 30_000): Promise<Json> {
    const event = await this.next((event) => event.event === "done", "done", timeoutMs);
    await within(this.#readMore(), 5_000, "the stream to close after done");
    assert.equal(this.#ended, true, `done is the last event:\n${this.#tail()}`);
    return JSON.parse(event.data);
  }

  /** Sends a request to `/chat/{id}{path}`; the body, if any, as JSON. */
  async call(method: string, path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`${this.gateway.url}/chat/${this.id}${path}`, {
      method,
      headers: { ...SERVER_AUTH, ...(body === undefined ? {} : { "Content-Type": "application/json" }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  }

  /** `POST /chat/{id}/messages`, which must answer 202; the message id. */
  async send(body: Json): Promise<string> {
    const answer = await this.call("POST", "/messages", body);
    assert.equal(answer.status, 202, JSON.stringify(answer.body));
    return answer.body.message_id as string;
  }

  /** `POST /chat/{id}/permissions/{requestId}`. */
  answer(requestId: string, body: Json): Promise<Answer> {
    return this.call("POST", `/permissions/${requestId}`, body);
  }

  /** `GET /chat/{id}/permissions`: the pending requests. */
  async pending(): Promise<PermissionRequest[]> {
    const answer = await this.call("GET", "/permissions");
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return answer.body.permissions as PermissionRequest[];
  }

  /** `DELETE /chat/{id}`, which must answer 200, then the stream's `done`. */
  async end(): Promise<Json> {
    const answer = await this.call("DELETE", "");
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    return await this.done();
  }

  /** Stops reading (a client that goes away). */
  async close(): Promise<void> {
    await this.#reader.cancel();
  }

  /** The last events, each cut short, and the server's last output: what a failure needs. */
  #tail(): string {
    const events = this.events.slice(-20).map((event) => `${event.event} ${event.data.slice(0, 200)}`);
    return `--- last events ---\n${events.join("\n")}\n--- server output tail ---\n${
      this.gateway.server.output().slice(-1500)
    }`;
  }
}

/**
 * Runs `fn` with a chat opened with `body`, and always stops reading it afterwards (the chat itself is
 * ended by `fn`, or by the gateway once its client is gone).
 */
export async function withChat<T>(
  gateway: Gateway,
  body: Json,
  fn: (chat: LiveChat) => Promise<T>,
): Promise<T> {
  const chat = await LiveChat.open(gateway, body);
  try {
    return await fn(chat);
  } finally {
    await chat.close();
  }
}

/** The `type` (and `/subtype`) of each CLI line, e.g. `system/init`, `assistant`, `result/success`. */
export function lineKinds(lines: Json[]): string[] {
  return lines.map((line) => line.subtype === undefined ? String(line.type) : `${line.type}/${line.subtype}`);
}
