import type { WarmPoolStats } from "../application/warm_pool_stats.ts";
import type { Logger } from "../application/logger.ts";
import type { ChatRequest } from "../domain/chat_request.ts";
import type { CliRun, CliRunner } from "../domain/cli_runner.ts";
import type { Clock, Timer } from "../domain/clock.ts";
import { afterFirstOutput, Departures } from "./warm_run.ts";
import { directoryIdentity, warmKey } from "./warm_key.ts";

/** Options of {@link WarmCliRunner}. */
export interface WarmCliRunnerOptions {
  /** Starts every CLI, the spares included (so they run in the sandbox when there is one). */
  runner: CliRunner;
  /** Spares kept per configuration (WARM_POOL). */
  perConfig: number;
  /** Spares kept in all (WARM_POOL_MAX). */
  max: number;
  /** A spare not taken this long is retired (WARM_IDLE_S; 0: never). */
  idleMs: number;
  clock: Clock;
  logger: Logger;
  /** How long a retired spare has to exit once its input is closed before it is killed (default 10 s). */
  retireKillMs?: number;
  /** The identity of a directory now, null when unreadable (default: its device and inode). */
  directoryIdentity?: (path: string) => string | null;
}

/** A started CLI waiting (until a chat takes it or it leaves); `directory`: its cwd's identity at start. */
interface Spare {
  run: CliRun;
  directory: string | null;
  timer: Timer | null;
  waiting: boolean;
}

/** The spares of one configuration, and how to start more. */
interface Config {
  key: string;
  /** A request of this configuration, to start spares with (its prompt and images are never sent). */
  template: ChatRequest;
  /** Oldest first: the oldest has had the longest to start up. */
  spares: Spare[];
  starting: number;
  /** Spares that died unused since a chat last asked for this configuration. */
  deaths: number;
}

/**
 * A {@link CliRunner} that keeps CLIs started ahead of the chats that will take them. In stream-json input
 * mode a started CLI prints nothing and waits on stdin, so a spare is a chat's CLI before its first message:
 * a chat whose configuration ({@link warmKey}: working directory and every CLI argument) matches takes one
 * and skips the CLI's start-up; any other chat starts cold, as without the pool.
 *
 * Up to `perConfig` spares per recently used configuration, `max` in all (a new configuration takes the
 * least recently used one's place). A taken spare is replaced once its chat's CLI has printed (or exited),
 * so the replacement's start-up does not compete with the chat's first answer. A spare not taken within
 * `idleMs` is retired, so changed settings, CLAUDE.md files or a CLI upgrade are picked up soon; one that
 * exits while it waits is never handed out and is replaced once (not again until a chat asks). Nobody reads
 * a spare's stdout before a chat takes it: what it printed waits in the pipe for that chat. Spares are not
 * chats: they take no slot of `MAX_CONCURRENT`.
 */
export class WarmCliRunner implements CliRunner {
  readonly #options: WarmCliRunnerOptions;
  readonly #identify: (path: string) => string | null;
  /** Least recently used first (a configuration moves to the end when a chat asks for it). */
  readonly #configs = new Map<string, Config>();
  /** Spares on their way out (retired, dead), until they have exited. */
  readonly #leaving: Departures;
  /** Spares being started. */
  readonly #starting = new Set<Promise<unknown>>();
  #closed = false;
  #counts = { hits: 0, misses: 0, died: 0, retired: 0 };

  /** @param options the runner to decorate, the pool's bounds and its clock */
  constructor(options: WarmCliRunnerOptions) {
    this.#options = options;
    this.#identify = options.directoryIdentity ?? directoryIdentity;
    this.#leaving = new Departures(options);
  }

  /**
   * Hands `request` a waiting spare of its configuration, or starts its CLI cold; either way the
   * configuration's spares are topped up afterwards.
   * @throws {CliUnavailableError} when a cold start fails
   */
  async start(request: ChatRequest): Promise<CliRun> {
    const key = this.#closed || this.#options.perConfig === 0 ? null : warmKey(request);
    if (key === null) return await this.#options.runner.start(request);
    const config = this.#use(key, request);
    const spare = this.#take(config, request.cwd);
    if (spare) {
      this.#counts.hits++;
      this.#options.logger.debug("chat served by a warm spare", { pid: spare.run.pid });
      return afterFirstOutput(spare.run, () => this.#fill(config));
    }
    this.#counts.misses++;
    try {
      const run = await this.#options.runner.start(request);
      return afterFirstOutput(run, () => this.#fill(config));
    } catch (error) {
      // Spares of a configuration that cannot start would not start either.
      this.#forgetIfEmpty(config);
      throw error;
    }
  }

  /** The pool's gauges and counters. */
  stats(): WarmPoolStats {
    const configs = [...this.#configs.values()];
    return {
      spares: configs.reduce((sum, config) => sum + config.spares.length, 0),
      configs: configs.length,
      perConfig: this.#options.perConfig,
      max: this.#options.max,
      ...this.#counts,
    };
  }

  /** Starts no more spares and ends every one (input closed, killed if it lingers); settles once all exited. */
  async close(): Promise<void> {
    this.#closed = true;
    for (const config of this.#configs.values()) {
      config.spares.splice(0).forEach((spare) => this.#leave(spare));
    }
    this.#configs.clear();
    // A spare still being started is ended as soon as it is there.
    await Promise.all(this.#starting);
    await this.#leaving.settled();
  }

  /** Kills every spare at once, with its process group (a second stop signal). */
  kill(): void {
    this.#closed = true;
    for (const config of this.#configs.values()) for (const spare of config.spares) spare.run.kill();
    this.#leaving.killAll();
  }

  /** The configuration of `key`, made the most recently used; a chat asking for it forgives its deaths. */
  #use(key: string, request: ChatRequest): Config {
    const config = this.#configs.get(key) ??
      { key, template: { ...request, prompt: "", images: undefined }, spares: [], starting: 0, deaths: 0 };
    this.#configs.delete(key);
    this.#configs.set(key, config);
    config.deaths = 0;
    return config;
  }

  /** The oldest waiting spare that still runs in the directory `cwd` is now; the others leave. */
  #take(config: Config, cwd: string): Spare | null {
    const directory = this.#identify(cwd);
    for (let spare = config.spares.shift(); spare; spare = config.spares.shift()) {
      if (directory !== null && spare.directory === directory) {
        spare.waiting = false;
        spare.timer?.cancel();
        return spare;
      }
      // The directory was replaced since the spare started: it runs in the old one.
      this.#counts.retired++;
      this.#leave(spare);
    }
    return null;
  }

  /** Starts spares until `config` has its share, making room in the least recently used others. */
  #fill(config: Config): void {
    const { perConfig, max } = this.#options;
    while (!this.#closed && this.#configs.get(config.key) === config) {
      if (config.spares.length + config.starting >= perConfig) return;
      if (this.#total() >= max && !this.#evictFor(config)) break;
      this.#startSpare(config);
    }
    // No room (every other spare is still starting): not kept as a configuration with nothing coming.
    this.#forgetIfEmpty(config);
  }

  #total(): number {
    let total = 0;
    for (const config of this.#configs.values()) total += config.spares.length + config.starting;
    return total;
  }

  /** Retires the oldest spare of the least recently used other configuration; false when there is none. */
  #evictFor(config: Config): boolean {
    for (const other of this.#configs.values()) {
      if (other === config || other.spares.length === 0) continue;
      this.#counts.retired++;
      this.#leave(other.spares.shift()!);
      this.#forgetIfEmpty(other);
      return true;
    }
    return false;
  }

  #startSpare(config: Config): void {
    config.starting++;
    const directory = this.#identify(config.template.cwd);
    const started = this.#options.runner.start(config.template).then(
      (run) => {
        config.starting--;
        const spare: Spare = { run, directory, timer: null, waiting: true };
        if (this.#closed || this.#configs.get(config.key) !== config) return this.#leave(spare);
        config.spares.push(spare);
        const { idleMs, clock } = this.#options;
        if (idleMs > 0) spare.timer = clock.setTimeout(() => this.#retire(config, spare), idleMs);
        run.exit.then((exit) => this.#died(config, spare, exit.code ?? exit.signal));
      },
      (error) => {
        config.starting--;
        this.#forgetIfEmpty(config);
        this.#options.logger.warn("warm spare could not be started", { error: String(error) });
      },
    );
    this.#starting.add(started);
    started.finally(() => this.#starting.delete(started));
  }

  /** An idle spare's time is up. */
  #retire(config: Config, spare: Spare): void {
    if (!spare.waiting) return;
    config.spares.splice(config.spares.indexOf(spare), 1);
    this.#counts.retired++;
    this.#leave(spare);
    this.#forgetIfEmpty(config);
  }

  /** A spare exited on its own: out of the pool, replaced once. */
  #died(config: Config, spare: Spare, status: number | string | null): void {
    if (!spare.waiting) return;
    config.spares.splice(config.spares.indexOf(spare), 1);
    this.#counts.died++;
    config.deaths++;
    this.#options.logger.warn("warm spare exited while it waited", { pid: spare.run.pid, status });
    this.#leave(spare);
    if (config.deaths === 1) this.#fill(config);
    this.#forgetIfEmpty(config);
  }

  /** Ends a spare that no chat will take. */
  #leave(spare: Spare): void {
    spare.waiting = false;
    spare.timer?.cancel();
    this.#leaving.add(spare.run);
  }

  /** A configuration with no spare and none coming is forgotten: it was not used for a while. */
  #forgetIfEmpty(config: Config): void {
    if (config.spares.length === 0 && config.starting === 0 && this.#configs.get(config.key) === config) {
      this.#configs.delete(config.key);
    }
  }
}
