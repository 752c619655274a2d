/**
 * Code a chat request can bring for the CLI to run, as the policy and sandbox end-to-end tests build it: a
 * SessionStart hook, and a plugin that a first chat writes with its own tools.
 *
 * @module
 */

import assert from "node:assert/strict";
import { exists } from "./claude_home.ts";
import { reply } from "./fake_messages_api.ts";
import { type Gateway, newMarker } from "./gateway_harness.ts";

/** The `hooks` value (of settings, an agent or a plugin) that runs `command` as the session starts. */
export function sessionStartHooks(command: string) {
  return { SessionStart: [{ hooks: [{ type: "command", command }] }] };
}

/**
 * A first chat writes a plugin whose SessionStart hook runs `command`, with two Write calls in one answer,
 * into `<writerCwd>/plugin` (its own cwd, which `acceptEdits` lets it write). Returns the plugin's directory.
 * @param gateway where the chat runs
 * @param writerCwd the first chat's cwd
 * @param command what the plugin's hook runs
 */
export async function writePluginByChat(
  gateway: Gateway,
  writerCwd: string,
  command: string,
): Promise<string> {
  const plugin = `${writerCwd}/plugin`;
  const marker = newMarker("plugin-writer");
  gateway.script(marker, (request) =>
    request.toolOutcomes.length === 0
      ? reply.toolUses([
        {
          name: "Write",
          input: { file_path: `${plugin}/.claude-plugin/plugin.json`, content: '{"name":"probe"}' },
        },
        {
          name: "Write",
          input: {
            file_path: `${plugin}/hooks/hooks.json`,
            content: JSON.stringify({ hooks: sessionStartHooks(command) }),
          },
        },
      ])
      : reply.text("plugin written"));
  const outcome = await gateway.chat({
    prompt: `Write a plugin ${marker}`,
    cwd: writerCwd,
    permission_mode: "acceptEdits",
  });
  gateway.assertSuccess(outcome);
  assert.ok(await exists(`${plugin}/hooks/hooks.json`), "the first chat wrote the plugin");
  return plugin;
}
