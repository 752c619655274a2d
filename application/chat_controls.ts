import type { PermissionRequestData } from "../domain/chat_event.ts";
import type { ChatImage, PermissionMode } from "../domain/chat_request.ts";
import { ConflictError, ForbiddenError } from "../domain/errors.ts";
import type { Chat } from "./chat.ts";
import type { ChatPolicy } from "./check_chat_request.ts";
import { checkImages } from "./check_images.ts";
import type { Conversation } from "./conversation.ts";
import type { PermissionAnswer } from "./permission_prompts.ts";

/** A follow-up message to an interactive chat. */
export interface FollowUp {
  prompt: string;
  images?: ChatImage[];
  /** `now`: abort the running turn and answer this at once. */
  priority?: "now";
}

/** What a chat's settings may be changed to while it runs. */
export interface ChatSettings {
  permission_mode?: PermissionMode;
  model?: string;
}

/** The use cases that talk to a running chat. */
export interface ChatControls {
  /** Sends a follow-up; its id as the CLI's `command_lifecycle` lines carry it. */
  sendMessage(chat: Chat, message: FollowUp): { message_id: string };
  /** Interrupts the running turn (and with `cancelQueued` drops the queued messages). */
  interrupt(chat: Chat, cancelQueued: boolean): Promise<{ still_queued: string[]; cancelled: string[] }>;
  /** The permission requests waiting for an answer. */
  permissions(chat: Chat): PermissionRequestData[];
  /** Answers one permission request. */
  answerPermission(chat: Chat, requestId: string, answer: PermissionAnswer): PermissionRequestData;
  /** Changes the permission mode and/or the model, under the same policy as at the start. */
  updateSettings(chat: Chat, settings: ChatSettings): Promise<ChatSettings>;
}

/** Dependencies of {@link createChatControls}. */
export interface ChatControlsDeps {
  policy: ChatPolicy;
  maxImageBytes: number;
}

/** The chat's conversation, or why there is none to talk to. */
function conversationOf(chat: Chat): Conversation {
  if (chat.isFinished) throw new ConflictError("chat_ended", `chat "${chat.id}" has ended`);
  const conversation = chat.conversation;
  if (conversation === null) {
    throw new ConflictError("chat_not_started", `chat "${chat.id}" is still waiting for a slot`);
  }
  return conversation;
}

/**
 * Creates the controls of running chats: follow-ups, interrupts, permission answers and settings changes.
 * Each writes validated values through the chat's {@link Conversation}; none forwards a client's line.
 * @throws {ConflictError} (from each control) a chat that ended, waits for a slot, or is not interactive
 */
export function createChatControls(deps: ChatControlsDeps): ChatControls {
  const { policy } = deps;

  function checkField(field: string): void {
    if (policy.deniedFields?.includes(field)) {
      throw new ForbiddenError(field, `the field "${field}" is not allowed by this server`);
    }
  }

  return {
    sendMessage(chat, message) {
      if (message.images) {
        checkField("images");
        checkImages(message.images, { maxBytes: deps.maxImageBytes });
      }
      const id = conversationOf(chat).send({
        text: message.prompt,
        images: message.images,
        priority: message.priority,
      });
      return { message_id: id };
    },
    interrupt(chat, cancelQueued) {
      return conversationOf(chat).interrupt(cancelQueued);
    },
    permissions(chat) {
      return chat.conversation?.prompts?.list() ?? [];
    },
    answerPermission(chat, requestId, answer) {
      const prompts = conversationOf(chat).prompts;
      if (prompts === null) {
        throw new ConflictError(
          "permissions_not_asked",
          `chat "${chat.id}" was not started with "permission_prompt": "client", so it asks nothing`,
        );
      }
      return prompts.answer(requestId, answer);
    },
    async updateSettings(chat, settings) {
      const conversation = conversationOf(chat);
      const modes = policy.allowedPermissionModes;
      const mode = settings.permission_mode;
      if (mode !== undefined) {
        checkField("permission_mode");
        if (modes !== null && !modes.includes(mode)) {
          throw new ForbiddenError(
            "permission_mode",
            `permission_mode "${mode}" is not allowed (allowed: ${modes.join(", ")})`,
          );
        }
      }
      if (settings.model !== undefined) checkField("model");
      const applied: ChatSettings = {};
      if (mode !== undefined) {
        await conversation.control({ subtype: "set_permission_mode", mode });
        applied.permission_mode = mode;
      }
      if (settings.model !== undefined) {
        await conversation.control({ subtype: "set_model", model: settings.model });
        applied.model = settings.model;
      }
      return applied;
    },
  };
}
