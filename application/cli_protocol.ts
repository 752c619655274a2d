import type { ChatImage } from "../domain/chat_request.ts";

/**
 * The stdin lines the gateway writes to a CLI in stream-json input mode, each built here from validated
 * values and nothing else: a client's raw line is never forwarded (a malformed line makes the CLI exit,
 * and an `assistant` line would be injected into the conversation).
 */

/** A user message for the CLI: its text, images and options. */
export interface UserMessage {
  text: string;
  images?: ChatImage[];
  /** Makes the CLI report the message's lifecycle (`command_lifecycle` lines) under this id. */
  uuid?: string;
  /** `now`: abort the running turn and answer this message at once. */
  priority?: "now";
}

/**
 * The stdin line of a user message: the images first (as the Messages API advises), then the text.
 * @param message what to send
 */
export function userMessageLine(message: UserMessage): string {
  const content = [
    ...(message.images ?? []).map((image) => ({
      type: "image",
      source: { type: "base64", media_type: image.media_type, data: image.data },
    })),
    { type: "text", text: message.text },
  ];
  return JSON.stringify({
    type: "user",
    session_id: "",
    parent_tool_use_id: null,
    ...(message.uuid ? { uuid: message.uuid } : {}),
    ...(message.priority ? { priority: message.priority } : {}),
    message: { role: "user", content },
  });
}

/**
 * A control request to the CLI.
 * @param requestId the id its response will carry
 * @param request the request (`subtype` and its fields)
 */
export function controlRequestLine(requestId: string, request: Record<string, unknown>): string {
  return JSON.stringify({ type: "control_request", request_id: requestId, request });
}

/**
 * The answer to one of the CLI's control requests.
 * @param requestId the CLI's request id
 * @param response the success payload, or `{ error }` for a failure
 */
export function controlResponseLine(
  requestId: string,
  response: { success: Record<string, unknown> } | { error: string },
): string {
  const body = "success" in response
    ? { subtype: "success", request_id: requestId, response: response.success }
    : { subtype: "error", request_id: requestId, error: response.error };
  return JSON.stringify({ type: "control_response", response: body });
}

/**
 * The fields of a parsed protocol value that should be an object: the CLI's lines are trusted for their
 * shape no more than a client's, so anything else reads as no fields.
 * @param value a parsed JSON value
 */
export function fieldsOf(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? value as Record<string, unknown>
    : {};
}
