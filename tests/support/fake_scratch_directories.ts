import type { ScratchDirectories } from "../../domain/scratch_directories.ts";

/** Scratch directories under `/tmp` (a directory of `FakeDirectories`), remembered instead of made. */
export class FakeScratchDirectories implements ScratchDirectories {
  /** The directories made and not removed. */
  readonly live = new Set<string>();
  /** Every directory removed, in order. */
  readonly removed: string[] = [];
  #made = 0;

  create(): Promise<string> {
    const path = `/tmp/scratch-${++this.#made}`;
    this.live.add(path);
    return Promise.resolve(path);
  }

  remove(path: string): Promise<void> {
    this.live.delete(path);
    this.removed.push(path);
    return Promise.resolve();
  }
}
