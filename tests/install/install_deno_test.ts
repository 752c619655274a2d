// How install.sh gets a Deno when none is found: npm first, then the official installer.
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  assertNoSystemctl,
  exists,
  install,
  MY_HOME,
  ok,
  type Sandbox,
  std,
  systemUnit,
  withSandbox,
} from "./sandbox.ts";
import { snapshot } from "./snapshot.ts";
import { one, parseUnit } from "./unit_file.ts";

/**
 * A PATH with everything from the system's bin directories except the named commands, plus sb.bin
 * (where the tests put fakes), so Deno/npm/curl can be hidden from the installer.
 */
async function pathWithout(sb: Sandbox, hidden: string[]): Promise<string> {
  const sys = join(sb.root, "sysbin");
  await Deno.mkdir(sys);
  for (const dir of ["/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"]) {
    if (!(await exists(dir))) continue;
    for await (const e of Deno.readDir(dir)) {
      if (hidden.includes(e.name) || await exists(join(sys, e.name))) continue;
      await Deno.symlink(join(dir, e.name), join(sys, e.name));
    }
  }
  return `${sb.bin}:${sys}`;
}

/** A fake command in sb.bin that logs its arguments to sb.root/<name>.log and then runs `body`. */
async function fake(sb: Sandbox, name: string, body = "exit 1"): Promise<string> {
  const log = join(sb.root, `${name}.log`);
  await Deno.writeTextFile(join(sb.bin, name), `#!/bin/sh\necho "$*" >> '${log}'\n${body}\n`);
  await Deno.chmod(join(sb.bin, name), 0o755);
  return log;
}

// Only meaningful when no Deno is installed where the installer looks first outside PATH.
const HOME_DENO = await exists(join(MY_HOME, ".deno/bin/deno"));

Deno.test({
  name: "without Deno it installs deno@2.9.6 with npm before trying the official installer",
  ignore: HOME_DENO,
  fn: () =>
    withSandbox(async (sb) => {
      const global = join(sb.root, "npm-global");
      await Deno.mkdir(global); // a writable prefix (like ~/.npm-global), so even non-root uses -g
      // npm's global prefix is the sandbox; `npm install -g deno@…` links the real Deno there.
      const npmLog = await fake(
        sb,
        "npm",
        `case "$1" in
  prefix) echo '${global}' ;;
  install) mkdir -p '${global}/bin' && ln -sf '${Deno.execPath()}' '${global}/bin/deno' ;;
esac`,
      );
      const curlLog = await fake(sb, "curl");
      const PATH = await pathWithout(sb, ["deno", "npm", "npx", "curl"]);
      const r = await install(sb, std(sb), { PATH });
      ok(r, "install");
      assert.match(r.stdout, /Installing Deno 2\.9\.6 with npm \(global/);
      const npmCalls = (await Deno.readTextFile(npmLog)).trim().split("\n");
      assert.ok(npmCalls.some((c) => /^install -g .*deno@2\.9\.6$/.test(c)), npmCalls.join("\n"));
      assert.ok(!(await exists(curlLog)), "curl was used although npm is available");
      const unit = parseUnit(await Deno.readTextFile(systemUnit(sb)));
      assert.match(one(unit, "Service", "ExecStart"), new RegExp(`^${global}/bin/deno run `));

      // The second run finds that Deno and installs nothing.
      const again = await install(sb, std(sb), { PATH });
      ok(again, "second run");
      assert.match(again.stdout, new RegExp(`found: ${global}/bin/deno`));
      assert.match(again.stdout, /Nothing to do/);
      assert.equal(
        (await Deno.readTextFile(npmLog)).split("\n").filter((c) => c.startsWith("install")).length,
        1,
      );
      await assertNoSystemctl(sb);
    }),
});

Deno.test({
  name: "without Deno and npm it falls back to the official installer (dry run)",
  ignore: HOME_DENO,
  fn: () =>
    withSandbox(async (sb) => {
      const curlLog = await fake(sb, "curl");
      const PATH = await pathWithout(sb, ["deno", "npm", "npx", "curl"]);
      const before = await snapshot(sb.repo);
      const r = await install(sb, ["--dry-run", ...std(sb)], { PATH });
      ok(r, "--dry-run");
      assert.match(r.stdout, /with the official installer/);
      assert.match(r.stdout, /curl -fsSL https:\/\/deno\.land\/install\.sh \| sh -s -- -y --no-modify-path/);
      assert.ok(!(await exists(curlLog)), "--dry-run ran curl");
      assert.deepEqual(await snapshot(sb.repo), before);

      // With neither npm nor curl it stops with instructions instead of guessing.
      await Deno.remove(join(sb.bin, "curl"));
      const none = await install(sb, std(sb), { PATH });
      assert.notEqual(none.code, 0);
      assert.match(none.stderr, /Deno not found and neither npm nor curl/);
    }),
});
