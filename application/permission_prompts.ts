import type {
  ChatEvent,
  PermissionOutcome,
  PermissionRequestData,
  PermissionResolver,
} from "../domain/chat_event.ts";
import type { PermissionMode } from "../domain/chat_request.ts";
import type { Clock, Timer } from "../domain/clock.ts";
import { ConflictError, ForbiddenError, NotFoundError } from "../domain/errors.ts";
import { controlResponseLine, fieldsOf } from "./cli_protocol.ts";

/** A client's answer to a permission request. */
export interface PermissionAnswer {
  behavior: "allow" | "deny";
  /** The input the tool runs with instead of the model's (allow only): an edit, or a person's answers. */
  updated_input?: Record<string, unknown>;
  /** What the model is told (deny only). */
  message?: string;
  /** Deny and end the turn (deny only). */
  interrupt?: boolean;
  /** Allow this kind of call for the rest of this chat, never written to a settings file. */
  remember?: "chat";
}

/** Options of {@link PermissionPrompts}. */
export interface PermissionPromptsOptions {
  /** How long a request waits for its answer before the gateway denies it. */
  timeoutMs: number;
  clock: Clock;
  /** Writes a line to the CLI's stdin. */
  send: (line: string) => void;
  /** Hands an event to the chat's stream. */
  emit: (event: ChatEvent) => void;
  /** Counts each request's outcome. */
  count: (outcome: PermissionOutcome) => void;
  /** The permission modes the operator allows (null: any): remembered rules must stay inside them. */
  allowedModes: PermissionMode[] | null;
  /** Called whenever the number of pending requests changes. */
  onChange: () => void;
}

/** Ids of answered requests kept to tell "already answered" (409) from "unknown" (404). */
const ANSWERED_KEPT = 1000;

/** The mode the CLI switches to when ExitPlanMode is allowed. */
const MODE_AFTER_PLAN: PermissionMode = "default";

function text(value: unknown): string | null {
  return typeof value === "string" ? value : null;
}

/**
 * The permission prompts of one chat whose CLI asks its client (`--permission-prompt-tool=stdio`): each
 * `can_use_tool` request becomes a `permission_request` event and waits for the client's answer, the
 * timeout (the CLI itself would wait forever), the CLI withdrawing it, or the chat's end; each ends with
 * exactly one `permission_resolved` event and one answer to the CLI (none when the CLI withdrew it).
 */
export class PermissionPrompts {
  #options: PermissionPromptsOptions;
  #pending = new Map<string, { data: PermissionRequestData; timer: Timer }>();
  #answered = new Set<string>();

  /** @param options the timeout, the clock and the chat's input and stream */
  constructor(options: PermissionPromptsOptions) {
    this.#options = options;
  }

  /** Requests waiting for an answer, oldest first. */
  list(): PermissionRequestData[] {
    return [...this.#pending.values()].map(({ data }) => data);
  }

  /** How many requests wait. */
  get size(): number {
    return this.#pending.size;
  }

  /**
   * Takes a `can_use_tool` request of the CLI in.
   * @param requestId the CLI's request id
   * @param request the request's fields
   */
  ask(requestId: string, request: Record<string, unknown>): void {
    const { clock, timeoutMs } = this.#options;
    const data: PermissionRequestData = {
      request_id: requestId,
      tool_name: text(request.tool_name) ?? "unknown",
      tool_use_id: text(request.tool_use_id),
      input: fieldsOf(request.input),
      description: text(request.description),
      blocked_path: text(request.blocked_path),
      decision_reason: text(request.decision_reason),
      suggestions: Array.isArray(request.permission_suggestions) ? request.permission_suggestions : [],
      requires_user_interaction: request.requires_user_interaction === true,
      expires_at: new Date(clock.now() + timeoutMs).toISOString(),
    };
    const timer = clock.setTimeout(() => {
      const message = `no answer within PERMISSION_TIMEOUT_S (${timeoutMs / 1000} s): denied by the gateway`;
      this.#resolve(requestId, { behavior: "deny", message }, "timeout");
    }, timeoutMs);
    this.#pending.set(requestId, { data, timer });
    this.#options.emit({ type: "permission_request", data });
    this.#options.onChange();
  }

  /**
   * The client's answer.
   * @throws {NotFoundError} no such request
   * @throws {ConflictError} the request was answered or withdrawn already
   * @throws {ForbiddenError} the answer would take the chat outside the allowed permission modes
   */
  answer(requestId: string, answer: PermissionAnswer): PermissionRequestData {
    const pending = this.#pending.get(requestId);
    if (!pending) {
      if (this.#answered.has(requestId)) {
        throw new ConflictError(
          "permission_resolved",
          `permission request "${requestId}" is already resolved`,
        );
      }
      throw new NotFoundError("permission_not_found", `no permission request "${requestId}" in this chat`);
    }
    const modes = this.#options.allowedModes;
    if (
      answer.behavior === "allow" && pending.data.tool_name === "ExitPlanMode" && modes !== null &&
      !modes.includes(MODE_AFTER_PLAN)
    ) {
      throw new ForbiddenError(
        "behavior",
        `allowing ExitPlanMode would switch the chat to permission mode "${MODE_AFTER_PLAN}", which is not ` +
          `allowed (allowed: ${modes.join(", ")})`,
      );
    }
    this.#resolve(requestId, answer, "client");
    return pending.data;
  }

  /** The CLI withdrew its request (an interrupt, a message sent with priority `now`). */
  withdrawn(requestId: string): void {
    this.#resolve(requestId, null, "cli");
  }

  /** The chat ended: every request still waiting is resolved as cancelled. */
  endAll(): void {
    for (const requestId of [...this.#pending.keys()]) this.#resolve(requestId, null, "chat_end");
  }

  /** Ends a request: answers the CLI (unless it is gone or withdrew it) and emits `permission_resolved`. */
  #resolve(requestId: string, answer: PermissionAnswer | null, by: PermissionResolver): void {
    const pending = this.#pending.get(requestId);
    if (!pending) return;
    pending.timer.cancel();
    this.#pending.delete(requestId);
    this.#answered.add(requestId);
    if (this.#answered.size > ANSWERED_KEPT) this.#answered.delete(this.#answered.values().next().value!);
    const result = answer === null ? null : this.#result(pending.data, answer);
    if (result !== null) this.#options.send(controlResponseLine(requestId, { success: result }));
    const outcome: PermissionOutcome = answer === null
      ? "cancelled"
      : by === "timeout"
      ? "timeout"
      : answer.behavior === "allow"
      ? "allowed"
      : "denied";
    // The message the CLI got, its default included, so the event tells what the model was told.
    const message = result?.behavior === "deny" ? String(result.message) : null;
    this.#options.count(outcome);
    this.#options.emit({
      type: "permission_resolved",
      data: { request_id: requestId, outcome, by, message },
    });
    this.#options.onChange();
  }

  /** The CLI's PermissionResult for an answer. */
  #result(data: PermissionRequestData, answer: PermissionAnswer): Record<string, unknown> {
    if (answer.behavior === "deny") {
      return {
        behavior: "deny",
        message: answer.message ?? "The user denied this tool use.",
        ...(answer.interrupt ? { interrupt: true } : {}),
      };
    }
    return {
      behavior: "allow",
      updatedInput: answer.updated_input ?? data.input,
      ...(answer.remember === "chat" ? { updatedPermissions: this.#sessionRules(data) } : {}),
    };
  }

  /**
   * "Allow from now on", for this chat only: the CLI's suggestions moved to the `session` destination (never
   * a settings file in the user's repository), without a mode the operator does not allow or a directory
   * beyond the chat's; a rule for the tool when nothing is left.
   */
  #sessionRules(data: PermissionRequestData): Record<string, unknown>[] {
    const modes = this.#options.allowedModes;
    const rules = data.suggestions.map(fieldsOf).filter((suggestion) => {
      if (suggestion.type === "setMode") {
        return modes === null || modes.includes(suggestion.mode as PermissionMode);
      }
      return suggestion.type === "addRules" || suggestion.type === "replaceRules";
    }).map((suggestion) => ({ ...suggestion, destination: "session" }));
    if (rules.length > 0) return rules;
    return [{
      type: "addRules",
      rules: [{ toolName: data.tool_name }],
      behavior: "allow",
      destination: "session",
    }];
  }
}
