import type { ChatRequest } from "../domain/chat_request.ts";
import { InvalidFieldError } from "../domain/errors.ts";
import type { StartChat } from "./start_chat.ts";
import type { StartedChat, WatchedChats } from "./watched_chats.ts";

/** How long a chat may run on without watchers. */
export interface DetachPolicy {
  /** The grace of a chat whose request names none (`DETACH_GRACE_S`). */
  defaultGraceMs: number;
  /** The most a request may ask for (`MAX_DETACH_GRACE_S`). */
  maxGraceMs: number;
}

/**
 * The use case: starts a chat (as {@link StartChat} does) and makes it watchable, with the caller as its first
 * watcher.
 */
export type StartWatchedChat = (
  request: ChatRequest,
  options?: { requestId?: string },
) => Promise<StartedChat>;

/**
 * Creates the StartWatchedChat use case.
 * @throws {InvalidFieldError} `detach_grace_s` over the policy's maximum; and whatever StartChat throws
 */
export function createStartWatchedChat(
  deps: { startChat: StartChat; watched: WatchedChats; detach: DetachPolicy },
): StartWatchedChat {
  const { startChat, watched, detach } = deps;
  return async function startWatchedChat(request, options) {
    const asked = request.detach_grace_s;
    if (asked !== undefined && asked * 1000 > detach.maxGraceMs) {
      throw new InvalidFieldError(
        "detach_grace_s",
        `detach_grace_s ${asked} is more than the server allows (MAX_DETACH_GRACE_S=${
          detach.maxGraceMs / 1000
        })`,
      );
    }
    const chat = await startChat(request, options);
    return watched.add(chat, asked === undefined ? detach.defaultGraceMs : asked * 1000);
  };
}
