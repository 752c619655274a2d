import { documentedError } from "./documented_errors.ts";
import { EXAMPLE_PROCESS_ID } from "./openapi_examples.ts";

const NOT_STARTED = {
  code: "chat_not_started",
  message: `chat "${EXAMPLE_PROCESS_ID}" is still waiting for a slot`,
};
const ENDED = { code: "chat_ended", message: "the chat has ended or is ending" };

/** 409 of the routes that talk to a running chat. */
export function chatConflict(extra: { code: string; message: string; summary?: string }[] = []) {
  const codes = [ENDED, NOT_STARTED, ...extra].map(({ code }) => `\`${code}\``).join(", ");
  return documentedError(`${codes}: the chat cannot do this now.`, [ENDED, NOT_STARTED, ...extra]);
}

/** 409 codes of a follow-up. */
export const NOT_INTERACTIVE = {
  code: "chat_not_interactive",
  message: 'the chat was not started with "interactive": true, so it takes no further messages',
};

/** 409 codes of a permission answer. */
export const PERMISSION_CONFLICTS = [
  { code: "permission_resolved", message: 'permission request "3ea58a60-…" is already resolved' },
  {
    code: "permissions_not_asked",
    message:
      `chat "${EXAMPLE_PROCESS_ID}" was not started with "permission_prompt": "client", so it asks nothing`,
  },
];

/** 409 of a settings change the CLI refused. */
export const CLI_REFUSED = {
  code: "cli_refused",
  message: "the CLI refused: Cannot set permission mode to bypassPermissions because the session was not " +
    "launched with --dangerously-skip-permissions",
};

/** 504: the CLI did not answer a control request. */
export const CLI_TIMEOUT = documentedError("`cli_timeout`: the CLI did not answer in time.", [{
  code: "cli_timeout",
  message: 'the CLI did not answer "interrupt" within 15 s',
}]);

/** 404 of a permission answer: unknown chat or unknown request. */
export const PERMISSION_NOT_FOUND = documentedError(
  "`process_not_found`: no chat has this id; `permission_not_found`: the chat has no such request.",
  [
    {
      code: "process_not_found",
      message:
        `no chat "${EXAMPLE_PROCESS_ID}": unknown, or finished more than RETAIN_FINISHED_S (300 s) ago`,
    },
    { code: "permission_not_found", message: 'no permission request "3ea58a60-…" in this chat' },
  ],
);
