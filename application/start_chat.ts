import type { ChatRequest, PermissionMode } from "../domain/chat_request.ts";
import type { CliRunner } from "../domain/cli_runner.ts";
import type { Clock } from "../domain/clock.ts";
import type { Directories } from "../domain/directories.ts";
import { DomainError } from "../domain/errors.ts";
import type { ProcessRepository } from "../domain/process_repository.ts";
import type { SessionTranscripts } from "../domain/session_transcripts.ts";
import { Chat, type ChatLimits } from "./chat.ts";
import { type ChatPolicy, createCheckChatRequest } from "./check_chat_request.ts";
import { type ChatSlots, type QueueTicket, QueueTimeoutError, type SlotLease } from "./chat_slots.ts";
import { checkImages } from "./check_images.ts";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";
import type { InteractionSettings } from "./open_conversation.ts";
import { SessionWriters, type WriterLookup } from "./session_writers.ts";

/** Values used when a request leaves a field out. */
export interface ChatDefaults {
  permissionMode: PermissionMode;
  model: string | null;
}

/** Dependencies of {@link createStartChat}. */
export interface StartChatDeps {
  runner: CliRunner;
  processes: ProcessRepository;
  directories: Directories;
  /** The CLI's saved sessions, to check `session_id` and `continue` against. */
  sessions: SessionTranscripts;
  slots: ChatSlots;
  metrics: Metrics;
  logger: Logger;
  policy: ChatPolicy;
  defaults: ChatDefaults;
  limits: ChatLimits;
  /** The largest image a prompt may carry, decoded (MAX_IMAGE_BYTES). */
  maxImageBytes: number;
  /** How chats talk with their CLI; the allowed modes come from the policy. */
  interaction: Omit<InteractionSettings, "allowedModes">;
  newId: () => string;
  clock: Clock;
}

/** The use case: validates a chat request against the disk and the policy, then runs or queues it. */
export type StartChat = (request: ChatRequest, options?: { requestId?: string }) => Promise<Chat>;

/** What launching a chat needs. */
type LaunchContext = Pick<StartChatDeps, "runner" | "metrics" | "logger"> & { requestId?: string };

/**
 * Starts the CLI of `chat` and hands it over; a chat that ended while its CLI was being spawned has it
 * killed instead.
 * @throws {CliUnavailableError} the CLI cannot be started (the chat then ends with `start_failed`)
 */
async function launch(
  chat: Chat,
  request: ChatRequest,
  context: LaunchContext,
): Promise<void> {
  const { runner, metrics, logger, requestId } = context;
  try {
    const run = await runner.start(request);
    metrics.chatStarted();
    if (chat.isFinished) {
      // Cancelled while it was being spawned: it must not run.
      run.kill();
      await run.exit;
      return;
    }
    chat.attach(run);
    logger.info("chat started", {
      process_id: chat.id,
      request_id: requestId,
      pid: run.pid,
      cwd: chat.cwd,
      model: chat.model,
      session_id: chat.sessionId,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    chat.failLaunch("start_failed", message);
    throw error;
  }
}

/** Launches a queued chat once its ticket is granted; a chat whose wait runs out ends with `queue_timeout`. */
function launchWhenGranted(
  chat: Chat,
  request: ChatRequest,
  ticket: QueueTicket,
  context: LaunchContext,
): void {
  ticket.granted.then(
    () => {
      // A chat that ended while it waited has given its place, lease included, back already.
      if (chat.isFinished) return;
      launch(chat, request, context).catch((error) => {
        if (!(error instanceof DomainError)) {
          context.logger.error("queued chat failed to start", { error: String(error) });
        }
      });
    },
    (error) => {
      if (error instanceof QueueTimeoutError) chat.failLaunch("queue_timeout", error.message);
    },
  );
}

/**
 * Creates the StartChat use case.
 *
 * The returned chat's `events` stream opens at once; a queued chat starts when a slot frees.
 * @throws {InvalidFieldError} a path that does not exist or is not a directory
 * @throws {ForbiddenError} a field, path, session or permission mode outside the policy
 * @throws {SessionBusyError} the session is being written by another running chat (see {@link SessionWriters})
 * @throws {CapacityError} every slot and queue place is taken
 * @throws {CliUnavailableError} the CLI cannot be started
 */
export function createStartChat(deps: StartChatDeps): StartChat {
  const { processes, slots, metrics, logger, defaults, limits } = deps;
  const checkRequest = createCheckChatRequest(deps);
  const writers = new SessionWriters(deps);

  /** A new chat, registered; it gives `place` (its slot, or its place in the queue) up when it finishes. */
  function register(
    request: ChatRequest,
    requestId: string | undefined,
    { place, writing }: { place: SlotLease; writing: WriterLookup },
  ): Chat {
    const chat = new Chat({
      id: deps.newId(),
      requestId,
      request,
      startedAt: new Date(deps.clock.now()),
      limits,
      metrics,
      logger,
      clock: deps.clock,
      interaction: { ...deps.interaction, allowedModes: deps.policy.allowedPermissionModes },
      newId: deps.newId,
      onFinished: (finished) => {
        writers.finished(finished.id);
        place.release();
        processes.remove(finished.id);
      },
    });
    processes.add(chat);
    writers.started(chat.id, request, writing);
    logger.debug("chat request", { process_id: chat.id, request_id: requestId, prompt: request.prompt });
    return chat;
  }

  return async function startChat(input, options = {}) {
    const { requestId } = options;
    const request: ChatRequest = {
      ...input,
      permission_mode: input.permission_mode ?? defaults.permissionMode,
      ...(input.model ?? defaults.model ? { model: input.model ?? defaults.model! } : {}),
      // An interactive chat's new session is named up front, so its id is known before the CLI speaks.
      ...(input.interactive && !input.session_id && !input.continue ? { new_session_id: deps.newId() } : {}),
    };
    if (input.images) checkImages(input.images, { maxBytes: deps.maxImageBytes });
    // The policy applies to what the client sent (the defaults are checked at start-up).
    const checked = await checkRequest(input);
    const writing = await writers.lookup(request, checked);
    // The chat shows the paths as asked; its CLI runs on the real paths that were checked.
    const runnable: ChatRequest = { ...request, ...checked.realPaths };
    // From here on nothing awaits until the chat is registered, so two requests for one session cannot both pass.
    writers.check(request, writing);
    const lease = slots.tryAcquire();
    if (lease !== null) {
      const chat = register(request, requestId, { place: lease, writing });
      await launch(chat, runnable, { ...deps, requestId });
      return chat;
    }
    const ticket = slots.enqueue();
    const chat = register(request, requestId, { place: ticket, writing });
    logger.info("chat queued", { process_id: chat.id, request_id: requestId, queued: slots.queued });
    launchWhenGranted(chat, runnable, ticket, { ...deps, requestId });
    return chat;
  };
}
