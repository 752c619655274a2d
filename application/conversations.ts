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
 * A session moves on with every turn, so only its newest state can be resumed. An older state (a client that
 * went back: a regenerated or edited answer) or one whose session holds a turn the client never got is still
 * found, so its conversation goes on in the same directory, but in a new session.
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

  /**
   * The state a conversation with this key reached, if it is remembered; `resumable` when its session is
   * still there (has not moved on since).
   */
  find(key: string): (ConversationState & { resumable: boolean }) | undefined {
    const state = this.#entries.get(key);
    if (state === undefined) return undefined;
    // Least recently used first: a found state moves to the end.
    this.#entries.delete(key);
    this.#entries.set(key, state);
    return { ...state, resumable: this.#heads.get(state.sessionId) === key };
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
    this.#entries.set(key, state);
    this.#heads.set(state.sessionId, key);
    while (this.#entries.size > this.#options.maxEntries) {
      const [oldest, oldState] = this.#entries.entries().next().value!;
      this.#drop(oldest, oldState);
    }
  }

  /**
   * Makes a session not resumable: it moved on in a way no history the gateway knows matches. Its states
   * stay (their conversations go on in their directories, in new sessions).
   */
  forgetSession(sessionId: string): void {
    this.#heads.delete(sessionId);
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
