import type { ProcessStatus } from "../domain/managed_process.ts";
import type { ProcessRepository } from "../domain/process_repository.ts";

/** One chat as `GET /processes` shows it. */
export interface ProcessView {
  process_id: string;
  cwd: string;
  model: string | null;
  started_at: string;
  session_id: string | null;
  status: ProcessStatus;
}

/** What `GET /processes` answers. */
export interface ProcessList {
  processes: ProcessView[];
  count: number;
}

/** The use case: every chat that is queued, running or stopping, oldest first. */
export type ListProcesses = () => ProcessList;

/** Creates the ListProcesses use case. */
export function createListProcesses(deps: { processes: ProcessRepository }): ListProcesses {
  return function listProcesses() {
    const processes = deps.processes.list().map((process) => ({
      process_id: process.id,
      cwd: process.cwd,
      model: process.model,
      started_at: process.startedAt.toISOString().replace(/\.\d{3}Z$/, "Z"),
      session_id: process.sessionId,
      status: process.status,
    }));
    return { processes, count: processes.length };
  };
}
