import type { Clock, Timer } from "../domain/clock.ts";
import { CapacityError } from "../domain/errors.ts";

/** A held slot. Releasing it hands the slot to the longest waiter; releasing it again does nothing. */
export interface SlotLease {
  release(): void;
}

/** A place in the wait queue; releasing it leaves the queue, or releases the lease if it was granted. */
export interface QueueTicket extends SlotLease {
  /** Resolves with the lease once a slot is this ticket's; rejects with {@link QueueTimeoutError}. */
  readonly granted: Promise<SlotLease>;
}

/** Thrown into a ticket whose wait ran out. */
export class QueueTimeoutError extends Error {
  /** @param waitedMs how long the ticket waited */
  constructor(readonly waitedMs: number) {
    super(`no slot became free within ${Math.round(waitedMs / 1000)} s in the queue`);
    this.name = "QueueTimeoutError";
  }
}

/** Options of {@link ChatSlots}. */
export interface ChatSlotsOptions {
  maxConcurrent: number;
  queueMax: number;
  queueTimeoutMs: number;
  /** Times the queue wait. */
  clock: Clock;
}

/** A ticket still in the queue: it takes the slot a lease hands over. */
interface Waiter {
  grant(): void;
}

/**
 * Counts running chats against `maxConcurrent` and keeps a bounded FIFO of chats waiting for a slot.
 * Each slot is a {@link SlotLease}, released exactly once however many times its holder lets go.
 */
export class ChatSlots {
  #running = 0;
  #queue: Waiter[] = [];
  #options: ChatSlotsOptions;

  /** @param options capacity limits and the clock */
  constructor(options: ChatSlotsOptions) {
    this.#options = options;
  }

  /** Chats holding a slot. */
  get running(): number {
    return this.#running;
  }

  /** Chats waiting for one. */
  get queued(): number {
    return this.#queue.length;
  }

  /** Takes a slot if one is free and nobody is waiting ahead; null otherwise. */
  tryAcquire(): SlotLease | null {
    if (this.#running >= this.#options.maxConcurrent || this.#queue.length > 0) return null;
    this.#running++;
    return this.#lease();
  }

  /**
   * Refuses at once what a chat asking now would be refused (no free slot and a full queue), so a caller
   * need not do costly work first (e.g. read a request body). Takes nothing.
   * @throws {CapacityError} when neither a slot nor a queue place is free
   */
  assertRoom(): void {
    const noSlot = this.#running >= this.#options.maxConcurrent || this.#queue.length > 0;
    if (noSlot && this.#queue.length >= this.#options.queueMax) throw this.#full();
  }

  #full(): CapacityError {
    const { queueMax, queueTimeoutMs, maxConcurrent } = this.#options;
    return new CapacityError(
      Math.max(1, Math.ceil(queueTimeoutMs / 1000 / 4)),
      `all ${maxConcurrent} chat slots are busy and the queue is full (${queueMax} waiting)`,
    );
  }

  /**
   * Joins the queue.
   * @throws {CapacityError} when the queue is full
   */
  enqueue(): QueueTicket {
    const { queueMax, queueTimeoutMs } = this.#options;
    if (this.#queue.length >= queueMax) throw this.#full();
    const { promise, resolve, reject } = Promise.withResolvers<SlotLease>();
    let lease: SlotLease | null = null;
    let timer: Timer | null = null;
    const waiter: Waiter = {
      grant: () => {
        timer?.cancel();
        lease = this.#lease();
        resolve(lease);
      },
    };
    const leave = () => {
      timer?.cancel();
      this.#queue = this.#queue.filter((other) => other !== waiter);
    };
    timer = this.#options.clock.setTimeout(() => {
      leave();
      reject(new QueueTimeoutError(queueTimeoutMs));
    }, queueTimeoutMs);
    this.#queue.push(waiter);
    return {
      granted: promise,
      release: () => lease === null ? leave() : lease.release(),
    };
  }

  /** A lease on a slot already counted as running. */
  #lease(): SlotLease {
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#handOver();
      },
    };
  }

  /** Frees a slot, handing it to the longest waiter if there is one. */
  #handOver(): void {
    const next = this.#queue.shift();
    if (next) next.grant();
    else this.#running--;
  }
}
