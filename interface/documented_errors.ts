import { z } from "@hono/zod-openapi";
import { errorBody, type FieldProblem } from "./error_response.ts";
import { EXAMPLE_PROCESS_ID, EXAMPLE_SESSION_ID } from "./openapi_examples.ts";
import { ErrorSchema } from "./response_schemas.ts";

/** One example of an error response. */
interface ErrorExample {
  code: string;
  message: string;
  details?: FieldProblem[];
  summary?: string;
}

const RetryAfterHeader = z.object({
  "Retry-After": z.string().openapi({ description: "Seconds to wait before retrying.", example: "15" }),
});

/**
 * An error response for a route's `responses`: the one JSON error shape, with one named example per code.
 * @param description what the status means here
 * @param examples one per error code the status can carry
 * @param options `retryAfter`: the response has a `Retry-After` header
 */
export function documentedError(
  description: string,
  examples: ErrorExample[],
  options: { retryAfter?: boolean } = {},
) {
  return {
    description,
    ...(options.retryAfter ? { headers: RetryAfterHeader } : {}),
    content: {
      "application/json": {
        schema: ErrorSchema,
        examples: Object.fromEntries(examples.map((example) => [example.code, {
          summary: example.summary ?? example.code,
          value: errorBody(example.code, example.message, example.details),
        }])),
      },
    },
  };
}

const TOO_MANY_AUTH_FAILURES: ErrorExample = {
  code: "too_many_auth_failures",
  message: "too many failed logins; retry in 60 s",
  summary: "too many failed logins from this address (AUTH_MAX_FAILURES in AUTH_FAILURE_WINDOW_S)",
};
const FORBIDDEN_MESSAGE = 'cwd "/etc" (real path "/etc") is outside the allowed roots: /home/user/projects';

const UNAUTHORIZED: ErrorExample = { code: "unauthorized", message: "Basic Auth credentials are required" };
const FORBIDDEN_ORIGIN: ErrorExample = {
  code: "forbidden_origin",
  message: 'requests from origin "https://elsewhere.example" are not allowed',
  summary: "a browser sent this for a page of another origin (not this server's, not in CORS_ORIGINS)",
};
const FORBIDDEN_ORIGIN_DESCRIPTION = "`forbidden_origin`: a browser sent this for a page of another origin " +
  "(`Origin` neither this server's nor in CORS_ORIGINS, or `Sec-Fetch-Site: cross-site`).";

/** The error responses every route behind Basic Auth has (401, 403, 429, 500). */
export const PROTECTED_ROUTE_ERRORS = {
  401: documentedError(
    "`unauthorized`: Basic Auth credentials are missing or wrong (with `WWW-Authenticate: Basic`).",
    [UNAUTHORIZED],
  ),
  403: documentedError(FORBIDDEN_ORIGIN_DESCRIPTION, [FORBIDDEN_ORIGIN]),
  429: documentedError(
    "`too_many_auth_failures`: this address failed to log in too often; see `Retry-After`.",
    [TOO_MANY_AUTH_FAILURES],
    { retryAfter: true },
  ),
  500: documentedError("`internal_error`: an unexpected failure; details are in the server log.", [
    { code: "internal_error", message: "internal error; see the server log" },
  ]),
};

const VALIDATION_DESCRIPTION = "`validation_error`: one or more fields are invalid; `details` names each.";

/** The error responses of `POST /chat` beyond {@link PROTECTED_ROUTE_ERRORS}. */
export const START_CHAT_ERRORS = {
  400: documentedError("`invalid_json`: the body is not a JSON object.", [
    { code: "invalid_json", message: "request body is not valid JSON: Unexpected end of JSON input" },
  ]),
  403: documentedError(
    "`forbidden`: a path, a permission mode, a field (DENIED_FIELDS) or the directory a resumed session was " +
      `recorded in is outside what the operator allows; or ${FORBIDDEN_ORIGIN_DESCRIPTION}`,
    [{
      code: "forbidden",
      message: FORBIDDEN_MESSAGE,
      details: [{ field: "cwd", message: FORBIDDEN_MESSAGE }],
    }, FORBIDDEN_ORIGIN],
  ),
  409: documentedError(
    "`session_busy`: another running chat is writing to this `session_id`, or, with `continue`, to the latest " +
      "session of this `cwd` (or continues in it too), or, on a node of a cluster, a chat on another node writes " +
      "it; `session_on_other_node`: `CLUSTER_SESSIONS=local` and the session is on another node.",
    [{
      code: "session_busy",
      message: `session "${EXAMPLE_SESSION_ID}" is in use by running process "${EXAMPLE_PROCESS_ID}"`,
    }, {
      code: "session_on_other_node",
      message:
        `session "${EXAMPLE_SESSION_ID}" is kept on node "gw2:9876" (CLUSTER_SESSIONS=local): send the ` +
        "request to that node",
    }],
  ),
  413: documentedError("`payload_too_large`: the body is larger than MAX_BODY_BYTES.", [
    { code: "payload_too_large", message: "request body is larger than 1048576 bytes" },
  ]),
  415: documentedError(
    "`unsupported_media_type`: the body is not sent as `Content-Type: application/json` (which also keeps " +
      "browser forms and `no-cors` requests from other sites out).",
    [{
      code: "unsupported_media_type",
      message: 'Content-Type "text/plain" is not supported; send application/json',
    }],
  ),
  422: documentedError(VALIDATION_DESCRIPTION, [{
    code: "validation_error",
    message: 'cwd "relative/dir": must be an absolute path; unknown field "promt"',
    details: [
      { field: "cwd", message: 'cwd "relative/dir": must be an absolute path' },
      { field: "promt", message: 'unknown field "promt"' },
    ],
  }]),
  429: documentedError(
    "`capacity_exhausted`: every slot and queue place is taken; or `too_many_auth_failures`. See `Retry-After`.",
    [
      { code: "capacity_exhausted", message: "all 4 chat slots are busy and the queue is full (16 waiting)" },
      TOO_MANY_AUTH_FAILURES,
    ],
    { retryAfter: true },
  ),
  503: documentedError(
    "`cli_unavailable`: the Claude Code CLI cannot be found or started; `cluster_unavailable`: this node of " +
      "a cluster cannot reach Redis now.",
    [{
      code: "cli_unavailable",
      message: 'cannot start the Claude Code CLI "/usr/local/bin/claude": No such file or directory',
    }, {
      code: "cluster_unavailable",
      message: "Redis is unreachable from this node: no new chat can start until it is back",
    }],
  ),
};

/** The error response of `DELETE /chat/{process_id}` for an id that is not a running or queued chat. */
export const PROCESS_NOT_FOUND = documentedError(
  "`process_not_found`: no running or queued chat has this id.",
  [
    { code: "process_not_found", message: `process "${EXAMPLE_PROCESS_ID}" is not running` },
  ],
);

/** The error response of the routes of one chat for an id that is unknown or no longer retained. */
export const CHAT_NOT_FOUND = documentedError(
  "`process_not_found`: no chat has this id (unknown, or finished more than RETAIN_FINISHED_S ago).",
  [{
    code: "process_not_found",
    message: `no chat "${EXAMPLE_PROCESS_ID}": unknown, or finished more than RETAIN_FINISHED_S (300 s) ago`,
  }],
);

/** 401 of `GET /chat/{process_id}/events`: no Basic credentials, or a watch token of another chat. */
export const INVALID_WATCH_TOKEN = documentedError(
  "`unauthorized`: Basic Auth credentials are missing or wrong; or `invalid_token`: `?token=` is not this " +
    "chat's watch token.",
  [UNAUTHORIZED, {
    code: "invalid_token",
    message: `the watch token is not the one of chat "${EXAMPLE_PROCESS_ID}"`,
  }],
);

/** 422 of `GET /chat/{process_id}/events`: a malformed or impossible event id. */
export const VALIDATION_ERROR = documentedError(VALIDATION_DESCRIPTION, [{
  code: "validation_error",
  message: "last_event_id 50 is beyond the chat's newest event (42)",
  details: [{ field: "last_event_id", message: "last_event_id 50 is beyond the chat's newest event (42)" }],
}]);
