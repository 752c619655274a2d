/** How each chat's CLI is confined: `off` (a plain child process) or `bwrap` (a bubblewrap sandbox). */
export const SANDBOX_MODES = ["off", "bwrap"] as const;

/** One of {@link SANDBOX_MODES}. */
export type SandboxMode = typeof SANDBOX_MODES[number];
