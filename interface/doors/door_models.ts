import { DEFAULT_MODEL_NAME, DOOR_MODELS } from "../../domain/door_models.ts";
import { HttpError } from "../error_response.ts";

/** A full Claude model id, e.g. `claude-sonnet-4-5` or `claude-opus-4-1-20250805`. */
const CLAUDE_MODEL_ID = /^claude-[a-z0-9][a-z0-9.\-]*$/;

/**
 * The CLI's `--model` for the model a door's client asked for: none for {@link DEFAULT_MODEL_NAME}, else the
 * alias or id as it is.
 * @throws {HttpError} 404 `model_not_found` for any other name
 */
export function cliModel(model: string): string | undefined {
  if (model === DEFAULT_MODEL_NAME) return undefined;
  if ((DOOR_MODELS as readonly string[]).includes(model) || CLAUDE_MODEL_ID.test(model)) return model;
  throw new HttpError(
    404,
    "model_not_found",
    `model "${model}" does not exist here; use ${DOOR_MODELS.join(", ")} or a Claude model id (claude-…)`,
    [{ field: "model", message: `model "${model}" does not exist here` }],
  );
}

/**
 * A 400 for a parameter the Claude Code CLI cannot honour.
 * @param param the parameter, e.g. `tools` or `messages[2].content[0].type`
 * @param why what the gateway does instead, or why not
 */
export function unsupported(param: string, why: string): HttpError {
  const message = `${param}: ${why}`;
  return new HttpError(400, "unsupported_parameter", message, [{ field: param, message }]);
}
