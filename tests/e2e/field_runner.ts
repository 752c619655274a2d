/**
 * Runs one chat per request field in the end-to-end tests, and the baseline chat the fields compare with.
 *
 * @module
 */

import type { Json } from "./chat_lines.ts";
import type { ChatOutcome } from "./chat_outcome.ts";
import { type Gateway, newMarker } from "./gateway_harness.ts";
import type { GatewayScenario } from "./gateway_scenarios.ts";
import type { RecordedRequest } from "./recorded_request.ts";

/** One chat's outcome, the API request it made, and its prompt marker. */
export interface FieldRun {
  outcome: ChatOutcome;
  request: RecordedRequest;
  marker: string;
}

/** Runs a chat labelled `label` with `fields` added to its body; see {@link fieldRunner}. */
export type RunWithFields = (
  label: string,
  fields: Json,
  options?: { cwd?: string; expectSuccess?: boolean },
) => Promise<FieldRun>;

/**
 * A runner of chats in `cwd` (unless given), each checked for success unless told otherwise, plus the result
 * of a first chat with no extra field.
 * @param gateway the gateway under test
 * @param cwd the chats' default working directory
 */
export async function fieldRunner(
  gateway: Gateway,
  cwd: string,
): Promise<{ run: RunWithFields; baseline: FieldRun }> {
  const run: RunWithFields = async (label, fields, options = {}) => {
    const marker = newMarker(label);
    const outcome = await gateway.chat({ prompt: `${label} ${marker}`, cwd: options.cwd ?? cwd, ...fields });
    if (options.expectSuccess ?? true) gateway.assertSuccess(outcome);
    const request = gateway.requestFor(marker);
    return { outcome, request, marker };
  };
  return { run, baseline: await run("baseline", {}) };
}

/** What a field check gets: the gateway, the fields' cwd, the runner and the baseline chat. */
export interface FieldContext {
  gateway: Gateway;
  cwd: string;
  run: RunWithFields;
  baseline: FieldRun;
}

/** One request field's check. */
export type FieldCheck = (context: FieldContext) => Promise<void>;

/**
 * A scenario that runs the baseline chat, then each field check as a nested scenario, in order.
 * @param fields the checks, by name
 */
export function fieldScenario(fields: Record<string, FieldCheck>): GatewayScenario {
  return async ({ gateway, scenario }) => {
    const cwd = await gateway.newCwd("fields");
    const { run, baseline } = await fieldRunner(gateway, cwd);
    for (const [name, check] of Object.entries(fields)) {
      await scenario(name, () => check({ gateway, cwd, run, baseline }));
    }
  };
}
