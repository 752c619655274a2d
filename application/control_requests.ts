import type { Clock, Timer } from "../domain/clock.ts";
import { CliTimeoutError, ConflictError } from "../domain/errors.ts";
import { controlRequestLine, controlResponseLine, fieldsOf } from "./cli_protocol.ts";
import type { PermissionPrompts } from "./permission_prompts.ts";

/** A control request of the gateway, waiting for the CLI's answer. */
interface Waiting {
  resolve: (response: Record<string, unknown>) => void;
  reject: (error: Error) => void;
  timer: Timer;
}

/** Options of {@link ControlRequests}. */
export interface ControlRequestsOptions {
  clock: Clock;
  /** How long a request waits for the CLI's answer. */
  timeoutMs: number;
  /** Writes a line to the CLI's stdin. */
  send: (line: string) => void;
}

/**
 * The gateway's control requests to one CLI (interrupts, settings), each matched to the CLI's answer by its
 * request id, which is all the protocol promises: answers may come in any order among the other lines.
 */
export class ControlRequests {
  #options: ControlRequestsOptions;
  #waiting = new Map<string, Waiting>();

  /** @param options the clock, the timeout and the CLI's input */
  constructor(options: ControlRequestsOptions) {
    this.#options = options;
  }

  /**
   * Sends a request and waits for its answer.
   * @param requestId the id the answer will carry
   * @param request the request (`subtype` and its fields)
   * @throws {ConflictError} `cli_refused`: the CLI answered with an error (its message included)
   * @throws {CliTimeoutError} no answer within the timeout
   */
  send(requestId: string, request: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { clock, timeoutMs, send } = this.#options;
    const { promise, resolve, reject } = Promise.withResolvers<Record<string, unknown>>();
    const timer = clock.setTimeout(() => {
      this.#waiting.delete(requestId);
      reject(new CliTimeoutError(`the CLI did not answer "${request.subtype}" within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    this.#waiting.set(requestId, { resolve, reject, timer });
    send(controlRequestLine(requestId, request));
    return promise;
  }

  /** Takes a `control_response` line of the CLI in; one that answers nothing waiting is dropped. */
  answered(fields: Record<string, unknown>): void {
    const response = fieldsOf(fields.response);
    const requestId = response.request_id;
    const waiting = typeof requestId === "string" ? this.#waiting.get(requestId) : undefined;
    if (!waiting) return;
    this.#waiting.delete(requestId as string);
    waiting.timer.cancel();
    if (response.subtype === "success") waiting.resolve(fieldsOf(response.response));
    else {
      waiting.reject(
        new ConflictError("cli_refused", `the CLI refused: ${String(response.error ?? "no reason given")}`),
      );
    }
  }

  /** The CLI is gone: every request still waiting fails with `chat_ended`. */
  endAll(): void {
    for (const [requestId, waiting] of this.#waiting) {
      waiting.timer.cancel();
      waiting.reject(
        new ConflictError("chat_ended", `the chat ended before the CLI answered (${requestId})`),
      );
    }
    this.#waiting.clear();
  }
}

/**
 * A control line the CLI sends of its own accord: a `can_use_tool` request goes to the permission prompts of a
 * chat that asks its client, a `control_cancel_request` withdraws one; anything else is answered with an
 * error at once, so the CLI never waits for an answer that will not come.
 * @param fields the line's fields
 * @param to the chat's permission prompts (null: it asks nobody), and the CLI's input
 */
export function handleCliRequest(
  fields: Record<string, unknown>,
  to: { prompts: PermissionPrompts | null; send: (line: string) => void },
): void {
  const requestId = fields.request_id;
  if (typeof requestId !== "string") return;
  if (fields.type === "control_cancel_request") return to.prompts?.withdrawn(requestId);
  const request = fieldsOf(fields.request);
  if (request.subtype === "can_use_tool" && to.prompts) return to.prompts.ask(requestId, request);
  to.send(
    controlResponseLine(requestId, { error: `the gateway does not handle "${String(request.subtype)}"` }),
  );
}
