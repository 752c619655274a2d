import { z } from "@hono/zod-openapi";
import type { WatchedChat, WatchedChats } from "../../application/watched_chats.ts";
import { ProcessNotFoundError } from "../../domain/errors.ts";
import { EXAMPLE_PROCESS_ID } from "../openapi_examples.ts";

/** The `process_id` path parameter of the routes of one chat. */
export const processIdParam = z.object({
  process_id: z.string().openapi({
    param: { name: "process_id", in: "path" },
    description: "A process id as returned in the `X-Process-ID` header of `POST /chat`.",
    example: EXAMPLE_PROCESS_ID,
  }),
});

/**
 * The lookup of the routes of one chat: running, or finished and still retained.
 * @param watched the watchable chats
 * @param retainFinishedS how long finished chats are kept, for the 404 message
 * @throws {ProcessNotFoundError} (from the lookup) an unknown or forgotten chat
 */
export function chatLookup(
  watched: WatchedChats,
  retainFinishedS: number,
): (processId: string) => WatchedChat {
  return (processId) => {
    const found = watched.get(processId);
    if (found) return found;
    throw new ProcessNotFoundError(
      processId,
      `no chat "${processId}": unknown, or finished more than RETAIN_FINISHED_S (${retainFinishedS} s) ago`,
    );
  };
}
