import type { ChatRequest, PermissionMode } from "../domain/chat_request.ts";
import type { CliRun } from "../domain/cli_runner.ts";
import type { Clock } from "../domain/clock.ts";
import { Conversation } from "./conversation.ts";
import type { Metrics } from "./metrics.ts";
import { PermissionPrompts } from "./permission_prompts.ts";

/** How a chat talks with its CLI while it runs. */
export interface InteractionSettings {
  /** How long a permission request waits for the client (PERMISSION_TIMEOUT_S). */
  permissionTimeoutMs: number;
  /** How long a control request waits for the CLI. */
  controlTimeoutMs: number;
  /** How long a stop waits for the CLI to end its turn before the signals (CANCEL_GRACE_S). */
  graceMs: number;
  /** The permission modes the operator allows (null: any). */
  allowedModes: PermissionMode[] | null;
}

/** What {@link openConversation} needs besides the run. */
export interface OpenConversationContext {
  request: ChatRequest;
  settings: InteractionSettings;
  clock: Clock;
  metrics: Metrics;
  newId: () => string;
  /** Called when the chat's activity changes (a turn, a message, a permission request began or ended). */
  onActivityChange: () => void;
}

/**
 * The {@link Conversation} of a started CLI, with the permission prompts of a chat that asks its client,
 * its first message (the prompt and its images) written.
 */
export function openConversation(run: CliRun, context: OpenConversationContext): Conversation {
  const { request, settings, clock, metrics, newId, onActivityChange } = context;
  let conversation: Conversation | null = null;
  const prompts = request.permission_prompt === "client"
    ? new PermissionPrompts({
      timeoutMs: settings.permissionTimeoutMs,
      clock,
      send: (line) => run.send(line),
      emit: (event) => conversation?.emit(event),
      count: (outcome) => metrics.permissionResolved(outcome),
      allowedModes: settings.allowedModes,
      onChange: onActivityChange,
    })
    : null;
  conversation = new Conversation(run, {
    interactive: request.interactive === true,
    prompts,
    clock,
    graceMs: settings.graceMs,
    controlTimeoutMs: settings.controlTimeoutMs,
    newId,
    onActivityChange,
  });
  conversation.begin({ text: request.prompt, images: request.images });
  return conversation;
}
