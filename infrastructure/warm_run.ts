import type { Clock } from "../domain/clock.ts";
import type { CliRun } from "../domain/cli_runner.ts";

/**
 * `run` as a chat gets it, calling `callback` once, after the first stdout chunk the chat has read or the
 * exit, whichever comes first: the warm pool starts a replacement spare then, so that the replacement's
 * start-up (a few hundred ms of CPU) does not compete with the chat's first answer.
 * @param run a CLI run, spare or cold
 * @param callback called once
 */
export function afterFirstOutput(run: CliRun, callback: () => void): CliRun {
  let pending = true;
  const fire = () => {
    if (!pending) return;
    pending = false;
    callback();
  };
  run.exit.then(fire);
  const wrapped: CliRun = {
    get pid() {
      return run.pid;
    },
    exit: run.exit,
    async readStdout() {
      const chunk = await run.readStdout();
      fire();
      // From now on the chat reads the run directly.
      wrapped.readStdout = () => run.readStdout();
      return chunk;
    },
    send: (line) => run.send(line),
    endInput: () => run.endInput(),
    stop: () => run.stop(),
    kill: () => run.kill(),
  };
  return wrapped;
}

/**
 * Spares that no chat will take, from the moment they are let go until they have exited: each is ended
 * with {@link dispose}, and can be killed at once or waited for.
 */
export class Departures {
  readonly #gone = new Map<CliRun, Promise<void>>();

  /** @param options the clock, and the time a spare has to exit before it is killed */
  constructor(readonly options: { clock: Clock; retireKillMs?: number }) {}

  /** Ends `run` (see {@link dispose}) and keeps track of it until it has exited. */
  add(run: CliRun): void {
    this.#gone.set(run, dispose(run, this.options).finally(() => this.#gone.delete(run)));
  }

  /** Kills every spare still on its way out. */
  killAll(): void {
    for (const run of this.#gone.keys()) run.kill();
  }

  /** Settles once every spare let go so far has exited. */
  async settled(): Promise<void> {
    await Promise.all(this.#gone.values());
  }
}

/**
 * Ends a spare no chat will take: its input closed (an idle CLI then exits at once, exit code 0, nothing
 * saved), killed with its process group if it is still there after `retireKillMs`; what it printed is read
 * and dropped, so its pipe is closed. Settles once it has exited.
 * @param run the spare's run, never handed out
 * @param options the clock, and the time it has to exit
 */
export async function dispose(run: CliRun, options: { clock: Clock; retireKillMs?: number }): Promise<void> {
  run.endInput();
  const timer = options.clock.setTimeout(() => run.kill(), options.retireKillMs ?? 10_000);
  try {
    while (await run.readStdout() !== null) {
      // Dropped: no chat took this spare.
    }
    await run.exit;
  } finally {
    timer.cancel();
  }
}
