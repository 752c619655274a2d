/**
 * The frame of a gateway end-to-end test file: one gateway for the file, scenarios as timed steps that each
 * leave no CLI process, no listed chat and no chat temporary directory behind, and a last check that no CLI
 * and no temporary directory outlives the gateway.
 *
 * @module
 */

import assert from "node:assert/strict";
import { Gateway } from "./gateway_harness.ts";

/** What a scenario gets: the gateway, and a way to run nested scenarios as its own steps. */
export interface ScenarioContext {
  gateway: Gateway;
  /** Runs `fn` as a nested scenario (a step of this one, with the same checks afterwards). */
  scenario(name: string, fn: GatewayScenario): Promise<boolean>;
}

/** One scenario against the shared gateway. */
export type GatewayScenario = (context: ScenarioContext) => Promise<void>;

/**
 * Registers a test that starts one gateway, runs each scenario as a step in order, and closes the gateway,
 * printing each scenario's time.
 * @param name the test's name
 * @param scenarios the steps, by name
 * @param env more variables for the gateway
 */
export function gatewayTest(
  name: string,
  scenarios: Record<string, GatewayScenario>,
  env: Record<string, string> = {},
): void {
  Deno.test(name, async (t) => {
    const gateway = await Gateway.start(env);
    const timings: { scenario: string; ms: number }[] = [];
    const step = (ctx: Deno.TestContext, name: string, fn: GatewayScenario): Promise<boolean> =>
      ctx.step(name, async (inner) => {
        const started = performance.now();
        let passed = false;
        try {
          await fn({ gateway, scenario: (nested, nestedFn) => step(inner, nested, nestedFn) });
          passed = true;
        } finally {
          timings.push({ scenario: name, ms: Math.round(performance.now() - started) });
          // After a failure, still wait for the CLIs to go so the next scenario starts clean.
          if (!passed) await gateway.waitNoCli().catch(() => {});
        }
        await gateway.waitNoCli();
        await gateway.waitNoProcesses();
        // Each chat's CLI had its own TMPDIR, removed when it exited; only the (empty) temp root stays.
        const left = (await gateway.tempDirs()).filter((path) => path.includes("/"));
        assert.deepEqual(left, [], "no chat temporary directory is left");
      });
    try {
      for (const [scenario, fn] of Object.entries(scenarios)) await step(t, scenario, fn);
    } finally {
      await gateway.close();
      console.log(timings.map(({ scenario, ms }) => `${String(ms).padStart(6)} ms  ${scenario}`).join("\n"));
    }
    assert.deepEqual(gateway.cliPids(), [], "no CLI outlives the gateway");
    assert.deepEqual(gateway.tempDirsAfterStop, [], "the gateway removes its temp root when it stops");
  });
}
