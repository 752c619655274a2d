import { CapacityError } from "../domain/errors.ts";

/** A place in the wait queue. */
export interface QueueTicket {
  /** Resolves once a slot is this ticket's; rejects when the wait times out. */
  readonly granted: Promise<void>;
  /** Leaves the queue (no-op once granted). */
  leave(): void;
}

/** Thrown into a ticket whose wait ran out. */
export class QueueTimeoutError extends Error {
  /** @param waitedMs how long the ticket waited */
  constructor(readonly waitedMs: number) {
    super(`no slot became free within ${Math.round(waitedMs / 1000)} s in the queue`);
    this.name = "QueueTimeoutError";
  }
}

interface Waiter {
  grant(): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Options of {@link ChatSlots}. */
export interface ChatSlotsOptions {
  maxConcurrent: number;
  queueMax: number;
  queueTimeoutMs: number;
}

/**
 * Counts running chats against `maxConcurrent` and keeps a bounded FIFO of chats waiting for a slot.
 */
export class ChatSlots {
  #running = 0;
  #queue: Waiter[] = [];

  /** @param options capacity limits */
  constructor(readonly options: ChatSlotsOptions) {}

  /** Chats holding a slot. */
  get running(): number {
    return this.#running;
  }

  /** Chats waiting for one. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Takes a slot if one is free and nobody is waiting ahead. */
  tryAcquire(): boolean {
    if (this.#running >= this.options.maxConcurrent || this.#queue.length > 0) return false;
    this.#running++;
    return true;
  }

  /**
   * Joins the queue.
   * @throws {CapacityError} when the queue is full
   */
  enqueue(): QueueTicket {
    const { queueMax, queueTimeoutMs, maxConcurrent } = this.options;
    if (this.#queue.length >= queueMax) {
      throw new CapacityError(
        Math.max(1, Math.ceil(queueTimeoutMs / 1000 / 4)),
        `all ${maxConcurrent} chat slots are busy and the queue is full (${queueMax} waiting)`,
      );
    }
    let settled = false;
    const { promise, resolve, reject } = Promise.withResolvers<void>();
    const waiter: Waiter = {
      grant: () => {
        settled = true;
        clearTimeout(waiter.timer);
        resolve();
      },
      timer: undefined,
    };
    const leave = () => {
      if (settled) return;
      settled = true;
      clearTimeout(waiter.timer);
      this.#queue = this.#queue.filter((other) => other !== waiter);
    };
    waiter.timer = setTimeout(() => {
      leave();
      reject(new QueueTimeoutError(queueTimeoutMs));
    }, queueTimeoutMs);
    this.#queue.push(waiter);
    return { granted: promise, leave };
  }

  /** Frees a slot, handing it to the longest waiter if there is one. */
  release(): void {
    const next = this.#queue.shift();
    if (next) next.grant();
    else this.#running--;
  }
}
