import type { Logger } from "../application/logger.ts";
import type { CliRunner } from "../domain/cli_runner.ts";
import type { CliSandbox } from "./bwrap_command.ts";
import { cliEnvironment } from "./cli_environment.ts";
import { findSetsid } from "./cli_path.ts";
import type { Config } from "./config.ts";
import { DenoCommandCliRunner } from "./deno_command_cli_runner.ts";
import { systemClock } from "./system_clock.ts";
import { WarmCliRunner } from "./warm_cli_runner.ts";

/** What {@link createCliRunners} needs. */
export interface CliRunnersContext {
  config: Config;
  /** The gateway's environment; the CLI gets it less its secrets. */
  env: Record<string, string>;
  /** The CLI executable; null when none was found. */
  claudePath: string | null;
  sandbox: CliSandbox | null;
  /** Where each CLI gets its own temporary directory. */
  tempRoot: string;
  logger: Logger;
}

/**
 * The runner the chats use: the `Deno.Command` runner, behind the warm pool when `WARM_POOL` is on (then
 * also returned as `warm`, for `/health`, `/metrics` and the shutdown).
 * @param context the configuration, environment, CLI and sandbox
 */
export function createCliRunners(
  context: CliRunnersContext,
): { runner: CliRunner; warm: WarmCliRunner | null } {
  const { config, env, claudePath, sandbox, tempRoot, logger } = context;
  const cold = new DenoCommandCliRunner({
    // With no CLI found, starting a chat fails with a clear 503 naming the missing path.
    claudePath: claudePath ?? "claude",
    env: cliEnvironment(env),
    graceMs: config.cli.graceMs,
    killAfterMs: config.cli.killAfterMs,
    setsidPath: findSetsid(),
    sandbox,
    clock: systemClock,
    tempRoot,
  });
  // Without a CLI a spare could not start either.
  if (config.warm.perConfig === 0 || claudePath === null) return { runner: cold, warm: null };
  const warm = new WarmCliRunner({ runner: cold, ...config.warm, clock: systemClock, logger });
  logger.info("warm pool on", {
    per_config: config.warm.perConfig,
    max: config.warm.max,
    idle_s: config.warm.idleMs / 1000,
  });
  return { runner: warm, warm };
}
