import type { Context, ErrorHandler } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { Logger } from "../../application/logger.ts";
import { type ErrorBody, errorResponse } from "../error_response.ts";

/** One error, as a compatible door tells it in its own dialect. */
export interface DoorProblem {
  status: ContentfulStatusCode;
  /** The gateway's stable code, e.g. `capacity_exhausted`. */
  code: string;
  message: string;
  /** The request parameter at fault, when one is. */
  param: string | null;
}

/** How one API dialect writes an error body. */
export type ErrorDialect = (problem: DoorProblem) => unknown;

const OPENAI_TYPES: Partial<Record<number, string>> = {
  401: "authentication_error",
  403: "permission_error",
  429: "rate_limit_error",
};

/** OpenAI's error shape: `{"error": {"message", "type", "param", "code"}}`. */
export const openAiError: ErrorDialect = ({ status, code, message, param }) => ({
  error: {
    message,
    type: OPENAI_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error"),
    param,
    code,
  },
});

const ANTHROPIC_TYPES: Partial<Record<number, string>> = {
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  413: "request_too_large",
  429: "rate_limit_error",
  503: "overloaded_error",
};

/** Anthropic's error shape: `{"type": "error", "error": {"type", "message"}}`; the message names the parameter. */
export const anthropicError: ErrorDialect = ({ status, message }) => ({
  type: "error",
  error: {
    type: ANTHROPIC_TYPES[status] ?? (status >= 500 ? "api_error" : "invalid_request_error"),
    message,
  },
});

/** Headers of the gateway's own error response that the door's response keeps. */
const KEPT_HEADERS = ["Retry-After", "WWW-Authenticate"];

/** The problem and headers of the gateway's own response to `error`, or null for an unexpected error. */
async function problemOf(
  c: Context,
  error: unknown,
): Promise<{ problem: DoorProblem; headers: Record<string, string> } | null> {
  const native = errorResponse(c, error);
  if (native === null) return null;
  const body = await native.json() as ErrorBody;
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    const value = native.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  // The dialects know no 422: a well-formed request with a bad value is their 400.
  const status = (native.status === 422 ? 400 : native.status) as ContentfulStatusCode;
  const param = body.error.details?.[0]?.field ?? null;
  return { problem: { status, code: body.error.code, message: body.error.message, param }, headers };
}

/**
 * The error handler of a door's routes: everything the gateway answers with its own error shape (auth, body,
 * validation, domain errors, with the same statuses and `Retry-After`) in the door's dialect instead, so the
 * dialect's client libraries raise their own error types; anything unexpected is logged and a generic 500.
 * @param options the log, and who counts each refusal by status
 */
export function doorErrorHandler(
  dialect: ErrorDialect,
  options: { logger: Logger; onRefused?: (status: number) => void },
): ErrorHandler {
  return async (error, c) => {
    const known = await problemOf(c, error);
    const status = known?.problem.status ?? 500;
    options.onRefused?.(status);
    if (known) return c.json(dialect(known.problem), status, known.headers);
    options.logger.error("unexpected error", {
      method: c.req.method,
      path: c.req.path,
      error: String(error),
    });
    return c.json(
      dialect({
        status: 500,
        code: "internal_error",
        message: "internal error; see the server log",
        param: null,
      }),
      500,
    );
  };
}
