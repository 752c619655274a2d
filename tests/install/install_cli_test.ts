// install.sh's command line: its scripts are clean, --help, --dry-run, and the refusal to run as root.
import assert from "node:assert/strict";
import { join } from "node:path";
import { onPath } from "../../testkit/run_tool.ts";
import {
  assertNoSystemctl,
  CI,
  exists,
  install,
  installerScripts,
  ok,
  REPO,
  std,
  withSandbox,
} from "./sandbox.ts";
import { snapshot } from "./snapshot.ts";

const HAS_SHELLCHECK = onPath("shellcheck");

Deno.test({
  name: "install.sh: bash -n and shellcheck are clean",
  ignore: !HAS_SHELLCHECK && !CI,
  async fn() {
    assert.ok(HAS_SHELLCHECK, "shellcheck is required when CI is set (apt-get install -y shellcheck)");
    const scripts = (await installerScripts()).map((f) => join(REPO, f));
    for (const script of scripts) {
      const syntax = await new Deno.Command("bash", { args: ["-n", script] }).output();
      assert.ok(syntax.success, new TextDecoder().decode(syntax.stderr));
    }
    // -x follows install.sh into the parts it sources; each part is checked on its own as well.
    const sc = await new Deno.Command("shellcheck", { args: ["-x", "--severity=style", ...scripts] })
      .output();
    assert.ok(sc.success, `shellcheck:\n${new TextDecoder().decode(sc.stdout)}`);
  },
});
if (!HAS_SHELLCHECK && !CI) console.warn("install tests: shellcheck not installed, shellcheck test skipped");

Deno.test("install.sh --help documents every option", () =>
  withSandbox(async (sb) => {
    const r = await install(sb, ["--help"]);
    ok(r, "--help");
    for (
      const opt of [
        "--user",
        "--uninstall",
        "--dry-run",
        "--root DIR",
        "DESTDIR",
        "--service-user",
        "--allow-root",
        "--no-cache",
        "CLAUDECODE2API_SKIP_DENO_CACHE",
        "--help",
      ]
    ) assert.ok(r.stdout.includes(opt), `--help does not mention ${opt}`);
    const bad = await install(sb, ["--no-such-option"]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unknown option/);
  }));

Deno.test("install.sh --dry-run prints every step and changes nothing", () =>
  withSandbox(async (sb) => {
    const notYet = join(sb.root, "dest-not-created");
    const before = await snapshot(sb.root);
    const r = await install(sb, ["--dry-run", "--root", notYet, "--no-cache", "--allow-root"]);
    ok(r, "--dry-run");
    for (const step of [1, 2, 3, 4, 5]) assert.match(r.stdout, new RegExp(`Step ${step}/5`));
    assert.match(r.stdout, /\[dry-run\] would create .*\/\.env/);
    assert.match(r.stdout, /\[dry-run\] would write .*etc\/systemd\/system\/claudecode2api\.service/);
    assert.match(r.stdout, /\[dry-run\] would link .*multi-user\.target\.wants/);
    assert.match(r.stdout, /\| ExecStart=/, "the dry run shows the rendered unit");
    assert.match(r.stdout, /nothing was changed/);
    assert.deepEqual(await snapshot(sb.root), before);
    assert.ok(!(await exists(notYet)), "--dry-run created the --root directory");
    await assertNoSystemctl(sb);
  }));

Deno.test("refuses to run the service as root unless --allow-root", () =>
  withSandbox(async (sb) => {
    const before = await snapshot(sb.root);
    const r = await install(sb, ["--root", sb.dest, "--no-cache", "--service-user", "root"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /refusing to run the service as root/);
    assert.deepEqual(await snapshot(sb.root), before);
  }));

Deno.test("install.sh finds its parts when started from another directory", () =>
  withSandbox(async (sb) => {
    const r = await install(sb, ["--dry-run", ...std(sb)], {}, sb.home);
    ok(r, "--dry-run from another directory");
    assert.ok(r.stdout.includes(`Installing claudecode2api from ${sb.repo} `), r.stdout);
    assert.match(r.stdout, /Step 5\/5/);
  }));
