import type { ChatDoneData } from "../domain/chat_event.ts";
import { ClusterUnavailableError } from "../domain/errors.ts";
import type { LogRead } from "./event_log.ts";
import type { ProcessView } from "./list_processes.ts";
import type { StartWatchedChat } from "./start_watched_chat.ts";

/** A chat of the cluster as the cluster's store records it. */
export interface ClusterChat {
  processId: string;
  /** The node that runs (or ran) it. */
  node: string;
  /** True while that node's heartbeat is current (always true for this node's own chats). */
  nodeAlive: boolean;
  watchToken: string;
  startedAt: string;
  sessionId: string | null;
  /** The `done` data once it ended, else null. */
  done: ChatDoneData | null;
  /** The id of its newest mirrored event (0 before the first). */
  lastEventId: number;
}

/** A reader of a chat's mirrored events, at its own pace: what an SSE body pulls. */
export interface ClusterEventSource {
  /** The next events (and a gap if some are gone), or null after the last. */
  next(): Promise<LogRead | null>;
  /** The reader is done. Idempotent. */
  close(): void;
}

/**
 * Port: this gateway as one node of several that share their chats through a store (Redis). The chats
 * themselves run on the node that started them; the others find, watch and relay requests to them.
 */
export interface Cluster {
  /** This node's id. */
  readonly nodeId: string;
  /** True while the store answers. */
  reachable(): boolean;
  /** The chat as recorded, or null when no node has (or recently had) it. */
  chat(processId: string): Promise<ClusterChat | null>;
  /** Reads a chat's events after `afterId`, then follows them until its `done`. */
  watch(processId: string, afterId: number): ClusterEventSource;
  /** The chats the other nodes run, as their last heartbeat listed them (each names its node). */
  processes(): Promise<ProcessView[]>;
  /**
   * Sends `message` to `node` and waits for its answer.
   * @throws {ClusterUnavailableError} when the node or the store does not answer in time
   */
  ask(node: string, message: string): Promise<string>;
}

/**
 * StartWatchedChat that refuses new chats while the cluster's store is unreachable (their state could not be
 * shared), and otherwise starts them as `startChat` does.
 * @throws {ClusterUnavailableError} when the store does not answer
 */
export function requireCluster(
  cluster: Pick<Cluster, "reachable">,
  startChat: StartWatchedChat,
): StartWatchedChat {
  return (request, options) => {
    if (!cluster.reachable()) {
      return Promise.reject(
        new ClusterUnavailableError(
          "Redis is unreachable from this node: no new chat can start until it is back",
        ),
      );
    }
    return startChat(request, options);
  };
}
