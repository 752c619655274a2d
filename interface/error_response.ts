import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "@hono/zod-openapi";
import {
  CapacityError,
  CliUnavailableError,
  DomainError,
  ForbiddenError,
  InvalidFieldError,
  ProcessNotFoundError,
  SessionBusyError,
} from "../domain/errors.ts";

/** One problem with one request field. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** An error the HTTP layer answers with directly (bad JSON, body too large, auth). */
export class HttpError extends Error {
  /** @param status HTTP status; @param code stable error code; @param headers extra response headers */
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly details?: FieldProblem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "HttpError";
  }
}

/** The one JSON error shape every endpoint uses. */
export function errorBody(code: string, message: string, details?: FieldProblem[]) {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function valueAt(input: unknown, path: PropertyKey[]): unknown {
  let value = input;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** Turns zod issues into one problem per bad field, each naming the field and the value it had. */
export function fieldProblems(error: z.ZodError, input: unknown): FieldProblem[] {
  const problems: FieldProblem[] = [];
  for (const issue of error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        problems.push({ field: [...issue.path, key].join("."), message: `unknown field "${key}"` });
      }
      continue;
    }
    const field = issue.path.map(String).join(".") || "(body)";
    const value = valueAt(input, issue.path);
    problems.push({
      field,
      message: value === undefined ? `${field} is required` : `${field} ${show(value)}: ${issue.message}`,
    });
  }
  return problems;
}

const DOMAIN_STATUS: [new (...args: never[]) => DomainError, ContentfulStatusCode][] = [
  [ProcessNotFoundError, 404],
  [InvalidFieldError, 422],
  [ForbiddenError, 403],
  [SessionBusyError, 409],
  [CapacityError, 429],
  [CliUnavailableError, 503],
];

/**
 * The app's one error handler: domain errors and {@link HttpError}s become their JSON responses; anything
 * else is logged by the caller and answered with a generic 500 that leaks nothing.
 */
export function errorResponse(c: Context, error: unknown): Response | null {
  if (error instanceof HttpError) {
    return c.json(errorBody(error.code, error.message, error.details), error.status, error.headers);
  }
  if (error instanceof DomainError) {
    const status = DOMAIN_STATUS.find(([type]) => error instanceof type)?.[1] ?? 400;
    const field = "field" in error && typeof error.field === "string" ? error.field : undefined;
    const details = field ? [{ field, message: error.message }] : undefined;
    const headers: Record<string, string> = error instanceof CapacityError
      ? { "Retry-After": String(error.retryAfterS) }
      : {};
    return c.json(errorBody(error.code, error.message, details), status, headers);
  }
  return null;
}
