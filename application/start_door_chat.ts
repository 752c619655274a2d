import type { ChatRequest } from "../domain/chat_request.ts";
import { InvalidFieldError } from "../domain/errors.ts";
import type { SessionTranscripts } from "../domain/session_transcripts.ts";
import { conversationKey, type ConversationTurn, transcriptPrompt } from "./conversation_turns.ts";
import type { Conversations } from "./conversations.ts";
import type { StartWatchedChat } from "./start_watched_chat.ts";
import type { StartedChat } from "./watched_chats.ts";

/** What a compatible door asks for, in the gateway's terms. */
export interface DoorChatInput {
  /** The conversation's user and assistant turns; the last one is the new user message. */
  turns: ConversationTurn[];
  /** The client's system (and developer) messages: they extend the CLI's system prompt. */
  system?: string;
  /** The CLI's `--model`; unset: the server's default. */
  model?: string;
  /** `X-Claude-Cwd`: the directory to run in. */
  cwd?: string;
  /** `X-Session-ID`: a session the client names, resumed whatever the history says. */
  sessionId?: string;
  requestId?: string;
}

/** How a door chat continues its conversation. */
export type Continuation = "resumed" | "transcript" | "new";

/** A door chat: an ordinary watched chat, and what the door tells the conversation memory when it ends. */
export interface DoorChat {
  started: StartedChat;
  continuation: Continuation;
  cwd: string;
  /**
   * Call once when the door is done with the chat: with the answer it gave (the conversation is remembered
   * with it), or null when there is none (an error, a client gone). Idempotent.
   */
  finish(answer: string | null): Promise<void>;
}

/** The use case: runs one request of a compatible door as an ordinary chat, continuing its conversation. */
export type StartDoorChat = (input: DoorChatInput) => Promise<DoorChat>;

/** Dependencies of {@link createStartDoorChat}. */
export interface StartDoorChatDeps {
  startChat: StartWatchedChat;
  conversations: Conversations;
  /** The CLI's saved sessions: where a session named by `X-Session-ID` ran. */
  sessions: SessionTranscripts;
}

/** Where the chat runs and what it resumes. */
interface Plan {
  continuation: Continuation;
  cwd: string;
  scratch: boolean;
  sessionId?: string;
  /** A scratch directory made for this chat, and so already held. */
  fresh?: boolean;
}

/**
 * Creates StartDoorChat. A conversation whose history the gateway remembers resumes its session with only the
 * new message; one it does not know starts a new session with the earlier turns as a transcript in the
 * prompt; a session named by the client is resumed as it is. Without `X-Claude-Cwd` a new conversation gets a
 * scratch directory of its own. The chat is stopped as soon as its client goes away (`detach_grace_s: 0`).
 * @throws {InvalidFieldError} a named session whose directory is unknown; and whatever StartWatchedChat throws
 */
export function createStartDoorChat(deps: StartDoorChatDeps): StartDoorChat {
  const { conversations, sessions } = deps;

  async function namedSession(sessionId: string, cwd: string | undefined): Promise<Plan> {
    const known = conversations.stateOf(sessionId);
    if (cwd === undefined && known) return { continuation: "resumed", ...known, sessionId };
    const recorded = cwd ?? (await sessions.cwdsOf(sessionId)).find((path) => path !== null) ?? undefined;
    if (recorded === undefined) {
      throw new InvalidFieldError(
        "X-Session-ID",
        `session "${sessionId}" is unknown here; name its directory with X-Claude-Cwd`,
      );
    }
    return { continuation: "resumed", sessionId, cwd: recorded, scratch: false };
  }

  async function plan(input: DoorChatInput): Promise<Plan> {
    if (input.sessionId !== undefined) return await namedSession(input.sessionId, input.cwd);
    const history = input.turns.slice(0, -1);
    const known = history.length > 0 ? conversations.find(await conversationKey(history)) : undefined;
    const here = known && (input.cwd === undefined || input.cwd === known.cwd);
    if (here && known.resumable) {
      return { continuation: "resumed", sessionId: known.sessionId, cwd: known.cwd, scratch: known.scratch };
    }
    const continuation = history.length > 0 ? "transcript" : "new";
    // A known conversation whose session cannot be resumed goes on in its own directory.
    if (here) return { continuation, cwd: known.cwd, scratch: known.scratch };
    if (input.cwd !== undefined) return { continuation, cwd: input.cwd, scratch: false };
    // A new scratch directory is held already; a remembered one is held below.
    return { continuation, cwd: await conversations.newScratch(), scratch: true, fresh: true };
  }

  return async function startDoorChat(input) {
    const planned = await plan(input);
    if (planned.scratch && !planned.fresh) conversations.hold(planned.cwd);
    const lastTurn = input.turns.at(-1)!;
    const request: ChatRequest = {
      prompt: planned.continuation === "transcript" ? transcriptPrompt(input.turns) : lastTurn.text,
      cwd: planned.cwd,
      include_partial_messages: true,
      detach_grace_s: 0,
      ...(input.model ? { model: input.model } : {}),
      ...(input.system ? { append_system_prompt: input.system } : {}),
      ...(planned.sessionId ? { session_id: planned.sessionId } : {}),
    };
    let started: StartedChat;
    try {
      started = await deps.startChat(request, { requestId: input.requestId });
    } catch (error) {
      if (planned.scratch) conversations.release(planned.cwd);
      throw error;
    }
    const finished = Promise.withResolvers<void>();
    if (planned.scratch) {
      // Not before the CLI is gone: its directory must not vanish under it.
      Promise.all([started.chat.finished, finished.promise]).then(() => conversations.release(planned.cwd));
    }
    let done = false;
    return {
      started,
      continuation: planned.continuation,
      cwd: planned.cwd,
      async finish(answer) {
        if (done) return;
        done = true;
        try {
          const sessionId = started.chat.sessionId;
          if (answer !== null && sessionId !== null) {
            const key = await conversationKey([...input.turns, { role: "assistant", text: answer }]);
            conversations.remember(key, { sessionId, cwd: planned.cwd, scratch: planned.scratch });
          } else if (planned.sessionId) {
            // The session may hold a turn the client never got (a partial answer, a failure): resuming it for
            // the same history again would show the model that turn twice.
            conversations.forgetSession(planned.sessionId);
          }
        } finally {
          finished.resolve();
        }
      },
    };
  };
}
