import { z } from "@hono/zod-openapi";

/** The gateway's own request headers of a door (documented; `serveDoor` reads and checks them). */
export const DOOR_REQUEST_HEADERS = z.object({
  "x-claude-cwd": z.string().optional().openapi({
    description:
      "The directory the chat runs in (absolute; under the same policy as `cwd` of `POST /chat`). " +
      "Unset: a new conversation gets an empty scratch directory of its own under COMPAT_SCRATCH_ROOT, " +
      "removed when the gateway forgets the conversation.",
    example: "/home/user/projects/myapp",
  }),
  "x-session-id": z.string().optional().openapi({
    description: "A CLI session to resume, whatever the history says; only the last user message is sent.",
    example: "4f1c2d3e-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
  }),
  "x-claude-tool-trace": z.string().optional().openapi({
    description: "`true` shows each tool the agent ran as a line of the answer (`⏺ Write(hello.txt)`), " +
      "`false` does not; unset: COMPAT_TOOL_TRACE.",
    example: "true",
  }),
});

/** The headers of a door's answer. */
export const DOOR_RESPONSE_HEADERS = z.object({
  "X-Session-ID": z.string().openapi({
    description: "The CLI session that wrote the answer: send it back as `X-Session-ID` to resume it.",
  }),
  "X-Process-ID": z.string().openapi({ description: "The chat's id, as in `GET /processes`." }),
  "X-Watch-Token": z.string().openapi({
    description: "Lets its holder watch the chat's raw events: `GET /chat/{process_id}/events?token=…`.",
  }),
  "X-Claude-Cwd": z.string().openapi({ description: "The directory the chat ran in." }),
});
