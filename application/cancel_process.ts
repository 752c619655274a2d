import { ProcessNotFoundError } from "../domain/errors.ts";
import type { ProcessRepository } from "../domain/process_repository.ts";

/** The use case: asks a running or queued chat to stop. Returns the cancelled process's id. */
export type CancelProcess = (processId: string) => { status: "cancelled"; process_id: string };

/**
 * Creates the CancelProcess use case. The chat stops as its CLI allows (SIGINT, then escalation);
 * this returns at once.
 * @throws {ProcessNotFoundError} when no chat has that id
 */
export function createCancelProcess(deps: { processes: ProcessRepository }): CancelProcess {
  return function cancelProcess(processId) {
    const process = deps.processes.get(processId);
    if (!process) throw new ProcessNotFoundError(processId);
    process.stop("cancelled");
    return { status: "cancelled", process_id: processId };
  };
}
