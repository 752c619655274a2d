import type { ProcessStatus } from "../domain/managed_process.ts";
import type { ProcessRepository } from "../domain/process_repository.ts";
import { isoSeconds, type WatchedChats } from "./watched_chats.ts";

/** One chat as `GET /processes` shows it. */
export interface ProcessView {
  process_id: string;
  cwd: string;
  model: string | null;
  started_at: string;
  session_id: string | null;
  status: ProcessStatus;
  /** Clients attached to the chat's stream now. */
  watchers: number;
  /** The id of the chat's newest event (0 before the first). */
  last_event_id: number;
  /** True for a chat that takes follow-up messages. */
  interactive: boolean;
  /** True while the CLI works on a message. */
  turn_running: boolean;
  /** Permission requests waiting for an answer (`GET /chat/{process_id}/permissions` lists them). */
  pending_permissions: number;
  /** The node that runs the chat, when the gateway is one node of a cluster (`REDIS_URL`). */
  node?: string;
}

/** What `GET /processes` answers. */
export interface ProcessList {
  processes: ProcessView[];
  count: number;
}

/** The use case: every chat that is queued, running or stopping, oldest first. */
export type ListProcesses = () => ProcessList;

/** Creates the ListProcesses use case. */
export function createListProcesses(
  deps: { processes: ProcessRepository; watched: WatchedChats },
): ListProcesses {
  return function listProcesses() {
    const processes = deps.processes.list().map((process) => {
      const feed = deps.watched.get(process.id)?.feed;
      return {
        process_id: process.id,
        cwd: process.cwd,
        model: process.model,
        started_at: isoSeconds(process.startedAt),
        session_id: process.sessionId,
        status: process.status,
        watchers: feed?.watchers ?? 0,
        last_event_id: feed?.log.lastId ?? 0,
        interactive: process.interactive,
        turn_running: process.turnRunning,
        pending_permissions: process.pendingPermissions,
      };
    });
    return { processes, count: processes.length };
  };
}
