/**
 * Promises of requests the fake Messages API has not received yet.
 *
 * @module
 */

import type { RecordedRequest } from "./recorded_request.ts";

interface Waiter {
  predicate: (r: RecordedRequest) => boolean;
  resolve: (r: RecordedRequest) => void;
  reject: (e: Error) => void;
}

/** Who waits for which request; each waiter is settled once, by a match, its timeout or `rejectAll`. */
export class RequestWaiters {
  readonly #waiters = new Set<Waiter>();

  /**
   * Resolves with the first of `requests` (already received or future) matching `predicate`.
   * @param requests the live list of received requests
   * @param predicate what to wait for
   * @param timeoutMs when to give up (rejects)
   */
  wait(
    requests: readonly RecordedRequest[],
    predicate: (r: RecordedRequest) => boolean,
    timeoutMs: number,
  ): Promise<RecordedRequest> {
    const found = requests.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise<RecordedRequest>((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (r: RecordedRequest) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(
          new Error(
            `waitForRequest: no matching request within ${timeoutMs} ms (${requests.length} received)`,
          ),
        );
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  /** Settles the waiters that `rec` matches. */
  notify(rec: RecordedRequest): void {
    for (const w of [...this.#waiters]) {
      if (w.predicate(rec)) {
        this.#waiters.delete(w);
        w.resolve(rec);
      }
    }
  }

  /** Rejects every waiter with `error`. */
  rejectAll(error: Error): void {
    for (const w of [...this.#waiters]) w.reject(error);
    this.#waiters.clear();
  }
}
