import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  CapacityError,
  CliTimeoutError,
  CliUnavailableError,
  ClusterUnavailableError,
  ConflictError,
  DomainError,
  ForbiddenError,
  InvalidFieldError,
  NotFoundError,
  ProcessNotFoundError,
  SessionBusyError,
} from "../domain/errors.ts";

/** One problem with one request field. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** The one JSON error shape every endpoint uses. */
export interface ErrorBody {
  error: { code: string; message: string; details?: FieldProblem[] };
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

/** Builds the one JSON error shape. */
export function errorBody(code: string, message: string, details?: FieldProblem[]): ErrorBody {
  return { error: { code, message, ...(details ? { details } : {}) } };
}

const DOMAIN_STATUS: [new (...args: never[]) => DomainError, ContentfulStatusCode][] = [
  [ProcessNotFoundError, 404],
  [NotFoundError, 404],
  [InvalidFieldError, 422],
  [ForbiddenError, 403],
  [SessionBusyError, 409],
  [CapacityError, 429],
  [CliUnavailableError, 503],
  [ClusterUnavailableError, 503],
  [ConflictError, 409],
  [CliTimeoutError, 504],
];

/** Codes for the statuses Hono and its validators raise as `HTTPException`s. */
const HTTP_EXCEPTION_CODES: Partial<Record<number, string>> = {
  400: "bad_request",
  401: "unauthorized",
  404: "not_found",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/**
 * The app's one error handler: domain errors, {@link HttpError}s and Hono's `HTTPException`s become their
 * JSON responses; anything else is logged by the caller and answered with a generic 500 that leaks nothing.
 */
export function errorResponse(c: Context, error: unknown): Response | null {
  if (error instanceof HttpError) {
    return c.json(errorBody(error.code, error.message, error.details), error.status, error.headers);
  }
  if (error instanceof HTTPException) {
    const code = HTTP_EXCEPTION_CODES[error.status] ?? "http_error";
    return c.json(errorBody(code, error.message || `HTTP ${error.status}`), error.status);
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
