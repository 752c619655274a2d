import type { ManagedProcess } from "../domain/managed_process.ts";
import type { ProcessRepository } from "../domain/process_repository.ts";

/** {@link ProcessRepository} in a Map: the gateway's chats live as long as the gateway does. */
export class InMemoryProcessRepository implements ProcessRepository {
  #processes = new Map<string, ManagedProcess>();

  /** @throws {Error} when the id is taken */
  add(process: ManagedProcess): void {
    if (this.#processes.has(process.id)) throw new Error(`process id "${process.id}" is already in use`);
    this.#processes.set(process.id, process);
  }

  get(id: string): ManagedProcess | undefined {
    return this.#processes.get(id);
  }

  remove(id: string): void {
    this.#processes.delete(id);
  }

  list(): ManagedProcess[] {
    return [...this.#processes.values()];
  }
}
