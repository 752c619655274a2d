/** The model name of the compatible doors that means "the server's default model" (DEFAULT_MODEL, else the CLI's). */
export const DEFAULT_MODEL_NAME = "claude-code";

/** The models the compatible doors list: the default and the CLI's aliases. Full Claude model ids pass too. */
export const DOOR_MODELS = [DEFAULT_MODEL_NAME, "sonnet", "opus", "haiku"] as const;
