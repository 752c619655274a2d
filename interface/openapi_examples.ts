import type { ChatEvent } from "../domain/chat_event.ts";
import { encodeEvents, encodeGap, type NumberedEvent } from "./sse_frame.ts";

/** The process id the examples use. */
export const EXAMPLE_PROCESS_ID = "3f0c2a52-8d0e-4c49-a7f4-5b1b3c1d9e20";

/** The CLI session id the examples use. */
export const EXAMPLE_SESSION_ID = "0b6f5b8e-6d1c-4b8f-9a43-2c9a0d9b8f11";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function message(line: string): ChatEvent {
  return { type: "message", line: encoder.encode(line) };
}

function done(exitCode: number, durationMs: number): ChatEvent {
  return {
    type: "done",
    data: {
      process_id: EXAMPLE_PROCESS_ID,
      exit_code: exitCode,
      signal: null,
      cancelled: false,
      stop_reason: null,
      session_id: EXAMPLE_SESSION_ID,
      duration_ms: durationMs,
    },
  };
}

/** Numbers events from `firstId` on, as a chat's stream does. */
function numbered(events: ChatEvent[], firstId = 1): NumberedEvent[] {
  return events.map((event, index) => ({ id: firstId + index, event }));
}

function sseExample(): string {
  const [first, ...rest] = numbered([
    message(
      `{"type":"system","subtype":"init","session_id":"${EXAMPLE_SESSION_ID}","cwd":"/home/user/projects/myapp"}`,
    ),
    message('{"type":"assistant","message":{"content":[{"type":"text","text":"Done."}]}}'),
    message(`{"type":"result","subtype":"success","session_id":"${EXAMPLE_SESSION_ID}"}`),
    done(0, 5321),
  ]);
  return decoder.decode(encodeEvents([first])) + ": keepalive\n\n" + decoder.decode(encodeEvents(rest));
}

function sseErrorExample(): string {
  return decoder.decode(encodeEvents(numbered([
    message(`{"type":"system","subtype":"init","session_id":"${EXAMPLE_SESSION_ID}"}`),
    {
      type: "error",
      data: {
        process_id: EXAMPLE_PROCESS_ID,
        exit_code: 1,
        signal: null,
        stderr: "fatal: something went wrong\n",
        message: "the CLI exited with code 1",
      },
    },
    done(1, 812),
  ])));
}

function reattachExample(): string {
  return decoder.decode(encodeGap(41)) + decoder.decode(encodeEvents(numbered([
    message('{"type":"assistant","message":{"content":[{"type":"text","text":"...and done."}]}}'),
    done(0, 64_210),
  ], 41)));
}

/** The named examples of the `POST /chat` stream. */
export function sseExamples(): Record<string, { summary: string; value: string }> {
  return {
    success: { summary: "A chat that succeeded", value: sseExample() },
    failure: { summary: "A CLI that exited with an error", value: sseErrorExample() },
  };
}

/** The named examples of the `GET /chat/{process_id}/events` stream. */
export function reattachExamples(): Record<string, { summary: string; value: string }> {
  return {
    gap: {
      summary: "A watcher that asked for events no longer retained (Last-Event-ID: 3)",
      value: reattachExample(),
    },
  };
}

/** What the `POST /chat` stream carries, event by event. */
export const SSE_DESCRIPTION = [
  "The CLI's output as Server-Sent Events, streamed while it runs. The stream ends after `done`.",
  "",
  "Every event has an `id:` (1, 2, 3… per chat): after a dropped connection, `GET /chat/{process_id}/events` " +
  "with `Last-Event-ID` replays what was missed and follows the chat live.",
  "",
  "| event | `data` |",
  "|---|---|",
  "| `message` | One line of the CLI's stdout (`--output-format stream-json`), verbatim: the gateway neither " +
  'parses nor changes it. The first is usually `{"type":"system","subtype":"init","session_id":...}`, ' +
  'the last `{"type":"result",...}`. |',
  '| `permission_request` | Only with `permission_prompt: "client"`: JSON, schema `PermissionRequest`: the ' +
  "CLI asks whether a tool may run; answer with `POST /chat/{process_id}/permissions/{request_id}`. The " +
  "gateway's own protocol lines with the CLI never appear as `message`s. |",
  "| `permission_resolved` | JSON, schema `PermissionResolved`: how each `permission_request` ended (answered, " +
  "timed out, withdrawn by the CLI, or the chat ended). |",
  "| `error` | JSON, schema `ChatErrorEvent`: `{process_id, exit_code, signal, " +
  "stderr, message, reason?}`, sent before `done` when the CLI failed, could not start, or a time limit " +
  "stopped it. |",
  "| `done` | JSON, schema `ChatDoneEvent`: `{process_id, exit_code, signal, " +
  "cancelled, stop_reason, session_id, duration_ms}`; always the last event. |",
  "| `gap` | Only on `GET /chat/{process_id}/events`, without an `id:`: `{first_id}` when events the watcher " +
  "asked for are no longer retained (REPLAY_BYTES); the stream continues from `first_id`. |",
  "",
  "After KEEPALIVE_S seconds of silence the gateway sends a comment line `: keepalive` so proxies keep the " +
  "connection open; SSE clients ignore it. A carriage return inside a CLI line starts a new `data:` line " +
  "(clients join them with `\\n`).",
  "",
  "When the last client of a chat disconnects, the chat is stopped (SIGINT, then SIGTERM, then SIGKILL) " +
  "after its detach grace (`detach_grace_s`, default DETACH_GRACE_S = 0: at once) unless a client attaches " +
  "again within it.",
].join("\n");
