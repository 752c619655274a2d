/** Variables the CLI child must not see: the gateway's own secrets, and the marker of a nested Claude Code. */
export const HIDDEN_FROM_CLI = ["AUTH_USER", "AUTH_PASSWORD", "CLAUDECODE"];

/**
 * The environment a chat's CLI runs with: the gateway's own, less {@link HIDDEN_FROM_CLI}.
 * @param env the gateway's environment (real variables over `.env`)
 */
export function cliEnvironment(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !HIDDEN_FROM_CLI.includes(key)));
}
