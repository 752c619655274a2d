// install.sh --uninstall.
import assert from "node:assert/strict";
import { assertNoSystemctl, install, ok, type Sandbox, std, withSandbox } from "./sandbox.ts";
import { snapshot } from "./snapshot.ts";

/** A snapshot with the checkout's entries named as in the checkout (repo/x -> x). */
function inCheckout(tree: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k.replace(/^repo\//, ""), v]));
}

/** Installs with `mode`, then uninstalls: a dry run first, then for real, then once more. */
async function installThenUninstall(sb: Sandbox, mode: string[], before: Record<string, string>) {
  ok(await install(sb, std(sb, ...mode)), `install ${mode}`);
  const installed = await snapshot(sb.root);

  const dry = await install(sb, ["--uninstall", "--dry-run", "--root", sb.dest, ...mode]);
  ok(dry, "uninstall --dry-run");
  assert.match(dry.stdout, /would remove/);
  assert.deepEqual(await snapshot(sb.root), installed, "uninstall --dry-run changed something");

  const un = await install(sb, ["--uninstall", "--root", sb.dest, ...mode]);
  ok(un, `uninstall ${mode}`);
  assert.match(un.stdout, /removed .*claudecode2api\.service/);
  // Same tree as before installing, plus the .env that uninstall keeps.
  const { ".env": kept, ...rest } = inCheckout(await snapshot(sb.root));
  assert.ok(kept?.startsWith("file 600"), ".env was not kept");
  assert.deepEqual(rest, inCheckout(before));

  const again = await install(sb, ["--uninstall", "--root", sb.dest, ...mode]);
  ok(again, "second uninstall");
  assert.match(again.stdout, /Nothing to uninstall/);
}

Deno.test("--uninstall removes the unit and symlink only, keeping .env (system and --user)", () =>
  withSandbox(async (sb) => {
    const before = await snapshot(sb.root);
    for (const mode of [[], ["--user"]]) await installThenUninstall(sb, mode, before);
    await assertNoSystemctl(sb);
  }));
