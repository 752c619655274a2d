import type { Redis } from "ioredis";
import { ClusterUnavailableError } from "../../domain/errors.ts";
import { keys } from "./redis_keys.ts";

/** A relayed request or answer on the wire. */
interface Envelope {
  id: string;
  from: string;
  message: string;
}

/** Options of {@link RedisRelay}. */
export interface RedisRelayOptions {
  redis: Redis;
  nodeId: string;
  timeoutMs: number;
}

/**
 * Requests from one node to another over Redis pub/sub: a node listens on `c2a:rpc:{node}` and answers on the
 * asker's `c2a:reply:{node}`. Nothing is stored: a request to a node that is not subscribed fails at once
 * (PUBLISH reaches nobody), one it does not answer in time fails after the timeout.
 */
export class RedisRelay {
  #options: RedisRelayOptions;
  #subscriber: Redis | null = null;
  #waiting = new Map<string, { resolve: (answer: string) => void; timer: ReturnType<typeof setTimeout> }>();
  #loginFailure: (address: string) => void = () => {};

  /** @param options the command connection, this node, the timeout */
  constructor(options: RedisRelayOptions) {
    this.#options = options;
  }

  /** Subscribes (on a connection of its own, resubscribed after reconnects) and answers with `answer`. */
  async listen(answer: (message: string) => Promise<string>): Promise<void> {
    const { redis, nodeId } = this.#options;
    const subscriber = redis.duplicate({ enableOfflineQueue: true, maxRetriesPerRequest: null });
    this.#subscriber = subscriber;
    subscriber.on("error", () => {});
    subscriber.on("message", (channel: string, text: string) => {
      const envelope = JSON.parse(text) as Envelope;
      if (channel === keys.loginFailures) {
        if (envelope.from !== nodeId) this.#loginFailure(envelope.message);
        return;
      }
      if (channel === keys.reply(nodeId)) return this.#answered(envelope);
      answer(envelope.message).then((reply) =>
        redis.publish(
          keys.reply(envelope.from),
          JSON.stringify({ ...envelope, from: nodeId, message: reply }),
        )
      ).catch(() => {});
    });
    await subscriber.subscribe(keys.rpc(nodeId), keys.reply(nodeId), keys.loginFailures).catch(() => {});
  }

  /** Tells `onOther` of each failed login another node publishes; returns how to publish this node's. */
  shareLoginFailures(onOther: (address: string) => void): (address: string) => void {
    this.#loginFailure = onOther;
    const { redis, nodeId } = this.#options;
    return (address) => {
      const envelope: Envelope = { id: "", from: nodeId, message: address };
      redis.publish(keys.loginFailures, JSON.stringify(envelope)).catch(() => {});
    };
  }

  /**
   * Sends `message` to `node` and waits for the answer.
   * @throws {ClusterUnavailableError} when Redis or the node does not answer
   */
  async ask(node: string, message: string): Promise<string> {
    const { redis, nodeId, timeoutMs } = this.#options;
    const id = crypto.randomUUID();
    const answer = new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiting.delete(id);
        reject(new ClusterUnavailableError(`node "${node}" did not answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.#waiting.set(id, { resolve, timer });
    });
    let receivers: number;
    try {
      receivers = await redis.publish(keys.rpc(node), JSON.stringify({ id, from: nodeId, message }));
    } catch {
      receivers = -1;
    }
    if (receivers <= 0) {
      const waiting = this.#waiting.get(id);
      clearTimeout(waiting?.timer);
      this.#waiting.delete(id);
      answer.catch(() => {});
      throw new ClusterUnavailableError(
        receivers < 0 ? "Redis is unreachable from this node" : `node "${node}" is not reachable`,
      );
    }
    return await answer;
  }

  /** Stops listening; requests still waiting fail by their timeout. */
  close(): void {
    this.#subscriber?.disconnect();
    for (const { timer } of this.#waiting.values()) clearTimeout(timer);
    this.#waiting.clear();
  }

  #answered(envelope: Envelope): void {
    const waiting = this.#waiting.get(envelope.id);
    if (!waiting) return;
    clearTimeout(waiting.timer);
    this.#waiting.delete(envelope.id);
    waiting.resolve(envelope.message);
  }
}
