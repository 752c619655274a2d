import type { ManagedProcess } from "./managed_process.ts";

/** Port: the set of chats the gateway is running right now. */
export interface ProcessRepository {
  /** Adds a process; ids are unique. */
  add(process: ManagedProcess): void;
  /** The process with this id, or undefined. */
  get(id: string): ManagedProcess | undefined;
  /** Removes the process with this id (no-op when absent). */
  remove(id: string): void;
  /** Every process, oldest first. */
  list(): ManagedProcess[];
}
