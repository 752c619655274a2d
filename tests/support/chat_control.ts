import { type SseEvent, SseReader } from "../../testkit/sse_client.ts";
import { within } from "../../testkit/wait_for.ts";
import type { FakeRun } from "./fakes.ts";
import { AUTH, type buildTestApp, chatRequest } from "./test_app.ts";

/** The test app and its fakes. */
export type TestApp = ReturnType<typeof buildTestApp>;

/** A chat started with `POST /chat` on the test app, its stream read by the test as a client reads it. */
export interface OpenChat {
  id: string;
  run: FakeRun;
  response: Response;
  stream: SseReader;
  /** Ends the fake CLI and reads the stream to its end: the events not read yet. */
  finish(): Promise<SseEvent[]>;
}

/** How long a test waits for an event before it fails. */
const EVENT_WAIT_MS = 5_000;

/**
 * Starts a chat and waits for its CLI run.
 * @param test the app to start it on
 * @param body the `POST /chat` body
 */
export async function openChat(test: TestApp, body: object): Promise<OpenChat> {
  const pending = test.app.request("/chat", chatRequest(body));
  const run = await within(test.runner.nextRun(), EVENT_WAIT_MS, "the chat's CLI run");
  const response = await pending;
  const stream = new SseReader(response);
  return {
    id: response.headers.get("X-Process-ID")!,
    run,
    response,
    stream,
    finish: async () => {
      run.end();
      return await within(stream.rest(), EVENT_WAIT_MS, "the end of the stream");
    },
  };
}

/** Reads the chat's stream up to the first event of type `type`, bounded in time. */
export function nextEvent(chat: OpenChat, type: string): Promise<SseEvent> {
  return within(chat.stream.until((event) => event.event === type), EVENT_WAIT_MS, `event: ${type}`);
}

/** A request with the test credentials and, when given, a JSON body. */
export function authedJson(method: string, body?: unknown): RequestInit {
  return body === undefined ? { method, headers: AUTH } : {
    method,
    headers: { ...AUTH, "Content-Type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  };
}

/**
 * The stdout line of the CLI asking whether a tool may run (`can_use_tool`), as CLI 2.1.328 prints it.
 * @param requestId the CLI's id of the request
 * @param request fields that replace those of a Write of `out.txt`
 */
export function canUseToolLine(requestId: string, request: Record<string, unknown> = {}): string {
  return `${
    JSON.stringify({
      type: "control_request",
      request_id: requestId,
      request: {
        subtype: "can_use_tool",
        tool_name: "Write",
        display_name: "Write",
        input: { file_path: "/tmp/out.txt", content: "hello" },
        description: "out.txt",
        permission_suggestions: [{ type: "setMode", mode: "acceptEdits", destination: "session" }],
        tool_use_id: "toolu_1",
        ...request,
      },
    })
  }\n`;
}

/**
 * Makes the fake CLI answer the gateway's control requests other than interrupts (which it answers as the
 * CLI does already): with success and an echo of the request, or with `error`.
 */
export function answerControls(run: FakeRun, error?: string): void {
  const answerInterrupt = run.onSend;
  run.onSend = (self, line) => {
    const request = line.request as Record<string, unknown> | undefined;
    if (line.type !== "control_request" || request === undefined) return;
    if (request.subtype === "interrupt") return answerInterrupt(self, line);
    const { subtype: _, ...echo } = request;
    const response = error === undefined
      ? { subtype: "success", request_id: line.request_id, response: echo }
      : { subtype: "error", request_id: line.request_id, error };
    self.write(`${JSON.stringify({ type: "control_response", response })}\n`);
  };
}
