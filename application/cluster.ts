import type { ChatDoneData } from "../domain/chat_event.ts";
import { ClusterUnavailableError, ConflictError, SessionBusyError } from "../domain/errors.ts";
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
   * Takes the cluster-wide writer lock of a session for this node (its holder renews it with each heartbeat
   * while a chat of it writes the session, and lets it go when the chat ends), unless a node holds it.
   * @returns the node that holds it now (this node's id when it took it or held it already)
   */
  claimSession(sessionId: string): Promise<string>;
  /** Lets go of a session's writer lock if this node holds it. */
  releaseSession(sessionId: string): Promise<void>;
  /** The node that last ran a chat of this session (where its transcript is), or null. */
  sessionNode(sessionId: string): Promise<string | null>;
  /**
   * Shares failed logins: `onOther` is told of each one another node saw; the function returned tells the
   * others of one this node saw. So an address that fails on every node in turn is throttled as on one.
   */
  shareLoginFailures(onOther: (address: string) => void): (address: string) => void;
  /**
   * Sends `message` to `node` and waits for its answer.
   * @throws {ClusterUnavailableError} when the node or the store does not answer in time
   */
  ask(node: string, message: string): Promise<string>;
}

/** Where the CLI's sessions (`~/.claude/projects`) and chat directories are: one disk for all nodes, or each its own. */
export type SessionStorage = "shared" | "local";

/**
 * StartWatchedChat on a node: refuses new chats while the cluster's store is unreachable (their state could
 * not be shared); a chat that resumes a session takes the session's cluster-wide writer lock first, so two
 * nodes never write one session, and with node-local storage it must come to the node that has the session.
 * Otherwise it starts as `startChat` does (which applies the one-writer rule within the node).
 * @throws {ClusterUnavailableError} when the store does not answer
 * @throws {SessionBusyError} when another node's chat writes the session
 * @throws {ConflictError} `session_on_other_node`: node-local storage, and the session is on another node
 */
export function requireCluster(
  cluster: Pick<Cluster, "reachable" | "nodeId" | "claimSession" | "releaseSession" | "sessionNode">,
  startChat: StartWatchedChat,
  storage: SessionStorage = "shared",
): StartWatchedChat {
  return async (request, options) => {
    if (!cluster.reachable()) {
      throw new ClusterUnavailableError(
        "Redis is unreachable from this node: no new chat can start until it is back",
      );
    }
    const sessionId = request.session_id !== undefined && !request.fork_session ? request.session_id : null;
    if (sessionId === null) return await startChat(request, options);
    if (storage === "local") {
      const home = await cluster.sessionNode(sessionId);
      if (home !== null && home !== cluster.nodeId) {
        throw new ConflictError(
          "session_on_other_node",
          `session "${sessionId}" is kept on node "${home}" (CLUSTER_SESSIONS=local): send the request to that node`,
        );
      }
    }
    const holder = await cluster.claimSession(sessionId);
    if (holder !== cluster.nodeId) {
      throw new SessionBusyError(
        sessionId,
        "",
        `session "${sessionId}" is in use by a running chat on node "${holder}"`,
      );
    }
    try {
      return await startChat(request, options);
    } catch (error) {
      // Not if a chat of this node writes it already: the local rule refused this one, the lock stays.
      if (!(error instanceof SessionBusyError)) await cluster.releaseSession(sessionId).catch(() => {});
      throw error;
    }
  };
}
