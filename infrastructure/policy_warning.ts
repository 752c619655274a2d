import type { Logger } from "../application/logger.ts";
import type { Config } from "./config.ts";

/** Says once what the policy does not confine, so an operator does not take the roots for a sandbox. */
export function warnOfPolicyLimits(policy: Config["chat"]["policy"], logger: Logger): void {
  if (policy.allowedRoots === null) return;
  logger.warn(
    "ALLOWED_CWD_ROOTS confines only the directories a request names (cwd, add_dir, plugin_dir, the " +
      "session it resumes), not what the CLI's tools then read, write or run: without a sandbox they reach " +
      "the whole host (SANDBOX=bwrap confines them)",
    { roots: policy.allowedRoots.join(",") },
  );
}
