import { Conversations } from "../application/conversations.ts";
import { DoorMetrics } from "../application/door_metrics.ts";
import type { Logger } from "../application/logger.ts";
import { createStartDoorChat, type StartDoorChatDeps } from "../application/start_door_chat.ts";
import { DOOR_MODELS } from "../domain/door_models.ts";
import type { Config } from "./config.ts";
import { DenoScratchDirectories } from "./deno_scratch_directories.ts";

/**
 * The compatible doors' conversation memory, with its scratch directories under `COMPAT_SCRATCH_ROOT`. Warns
 * once when that root lies outside ALLOWED_CWD_ROOTS: conversations without `X-Claude-Cwd` would be refused.
 */
export function createConversations(
  config: Pick<Config, "doors" | "chat">,
  logger: Logger,
): Conversations {
  const { scratchRoot, maxConversations } = config.doors;
  const roots = config.chat.policy.allowedRoots;
  if (roots !== null && !roots.some((root) => scratchRoot === root || scratchRoot.startsWith(`${root}/`))) {
    logger.warn(
      "COMPAT_SCRATCH_ROOT is outside ALLOWED_CWD_ROOTS: door requests without X-Claude-Cwd will be refused",
      { scratch_root: scratchRoot, roots: roots.join(",") },
    );
  }
  return new Conversations({
    maxEntries: maxConversations,
    scratch: new DenoScratchDirectories(scratchRoot),
    logger,
  });
}

/** What `createApp` takes (its `doors`) to serve the OpenAI- and Anthropic-compatible doors. */
export function createDoors(config: Pick<Config, "doors">, deps: StartDoorChatDeps) {
  return {
    startDoorChat: createStartDoorChat(deps),
    doorMetrics: new DoorMetrics(),
    toolTrace: config.doors.toolTrace,
    models: DOOR_MODELS,
  };
}
