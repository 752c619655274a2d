import type { ScratchDirectories } from "../domain/scratch_directories.ts";
import type { Logger } from "./logger.ts";

/** Where a conversation's last answer came from: the CLI session that wrote it and the directory it ran in. */
export interface ConversationState {
  sessionId: string;
  cwd: string;
  /** True when `cwd` is a scratch directory of the gateway's, removed once nothing refers to it. */
  scratch: boolean;
}

/** Options of {@link Conversations}. */
export interface ConversationsOptions {
  /** How many conversation states are remembered; beyond it the least recently used is forgotten. */
  maxEntries: number;
  scratch: ScratchDirectories;
  logger: Logger;
}

/**
 * The compatible doors' memory of conversations: a bounded map from the hash of a conversation so far (see
 * `conversationKey`) to the CLI session that produced its last answer, so a client that resends the whole
 * history continues that session instead of starting over.
 *
 * A session moves on with every turn, so only its newest state can be resumed and only that one is kept: a
 * client that goes back (a regenerated or edited answer) finds nothing and starts a new session.
 *
 * Scratch directories are counted: each remembered state and each running chat in one holds it; the last to
 * let go removes it. So a scratch directory lives exactly as long as a conversation that can still use it.
 */
export class Conversations {
  #entries = new Map<string, ConversationState>();
  /** The key of the newest state of each session. */
  #heads = new Map<string, string>();
  #holds = new Map<string, number>();
  #options: ConversationsOptions;
  #closed = false;

  /** @param options the bound, where scratch directories come from, the log */
  constructor(options: ConversationsOptions) {
    this.#options = options;
  }

  /** States remembered now. */
  get size(): number {
    return this.#entries.size;
  }

  /** The state a conversation with this key reached, if it is remembered and its session has not moved on. */
  find(key: string): ConversationState | undefined {
    const state = this.#entries.get(key);
    if (state === undefined || this.#heads.get(state.sessionId) !== key) return undefined;
    // Least recently used first: a found state moves to the end.
    this.#entries.delete(key);
    this.#entries.set(key, state);
    return state;
  }

  /** The newest remembered state of a session, if any. */
  stateOf(sessionId: string): ConversationState | undefined {
    const key = this.#heads.get(sessionId);
    return key === undefined ? undefined : this.#entries.get(key);
  }

  /**
   * Remembers that the conversation with this key is now at `state`, the newest state of its session;
   * forgets the least recently used beyond the bound.
   */
  remember(key: string, state: ConversationState): void {
    if (this.#closed) return;
    // Held before anything is dropped, so a directory the new state shares with an old one stays.
    if (state.scratch) this.hold(state.cwd);
    const old = this.#entries.get(key);
    if (old) this.#drop(key, old);
    // The session's older state can never be resumed again: it goes at once.
    const previous = this.#heads.get(state.sessionId);
    const previousState = previous === undefined ? undefined : this.#entries.get(previous);
    if (previousState) this.#drop(previous!, previousState);
    this.#entries.set(key, state);
    this.#heads.set(state.sessionId, key);
    while (this.#entries.size > this.#options.maxEntries) {
      const [oldest, oldState] = this.#entries.entries().next().value!;
      this.#drop(oldest, oldState);
    }
  }

  /** A new scratch directory, held by the caller (who lets go with {@link release}). */
  async newScratch(): Promise<string> {
    const path = await this.#options.scratch.create();
    this.hold(path);
    return path;
  }

  /** Keeps a scratch directory from being removed until {@link release}. */
  hold(path: string): void {
    this.#holds.set(path, (this.#holds.get(path) ?? 0) + 1);
  }

  /** Lets go of a scratch directory; the last hold removes it. */
  release(path: string): void {
    const left = (this.#holds.get(path) ?? 0) - 1;
    if (left > 0) {
      this.#holds.set(path, left);
      return;
    }
    this.#holds.delete(path);
    this.#options.scratch.remove(path).catch((error) =>
      this.#options.logger.warn("cannot remove a scratch directory", { path, error: String(error) })
    );
  }

  /** Forgets everything and removes every scratch directory (on shutdown). */
  async close(): Promise<void> {
    this.#closed = true;
    const paths = [...this.#holds.keys()];
    this.#entries.clear();
    this.#heads.clear();
    this.#holds.clear();
    await Promise.all(paths.map((path) => this.#options.scratch.remove(path).catch(() => {})));
  }

  #drop(key: string, state: ConversationState): void {
    this.#entries.delete(key);
    if (this.#heads.get(state.sessionId) === key) this.#heads.delete(state.sessionId);
    if (state.scratch) this.release(state.cwd);
  }
}
