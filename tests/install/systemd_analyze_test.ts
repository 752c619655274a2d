// systemd's own checker on the units install.sh renders.
import assert from "node:assert/strict";
import { join } from "node:path";
import { onPath } from "../../testkit/run_tool.ts";
import {
  assertNoSystemctl,
  CI,
  install,
  MY_HOME,
  ok,
  type Result,
  std,
  systemUnit,
  UNIT,
  withSandbox,
} from "./sandbox.ts";

const HAS_ANALYZE = onPath("systemd-analyze");

/** Lines of systemd-analyze output that concern our unit (other units on a real host may be noisy). */
function ourComplaints(output: string): string[] {
  return output.split("\n").filter((l) => l.includes("claudecode2api"));
}

async function analyze(args: string[], runtimeDir: string): Promise<Result> {
  const out = await new Deno.Command("systemd-analyze", {
    args,
    env: { XDG_RUNTIME_DIR: runtimeDir, SYSTEMD_LOG_COLOR: "0", SYSTEMD_PAGER: "" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/**
 * Control: the same check does catch a bad value and a missing executable in `unitFile`, so the passes
 * mean something (systemd-analyze only warns on bad values and still exits 0).
 */
async function assertAnalyzeCatchesFaults(unitFile: string, bad: string, runtime: string): Promise<void> {
  await Deno.mkdir(bad);
  const text = await Deno.readTextFile(unitFile);
  await Deno.writeTextFile(join(bad, UNIT), text.replace(/^KillMode=mixed$/m, "KillMode=sometimes"));
  const r1 = await analyze(["verify", join(bad, UNIT)], runtime);
  assert.ok(ourComplaints(r1.stdout + r1.stderr).some((l) => /KillMode|kill mode/i.test(l)), r1.stderr);
  await Deno.writeTextFile(join(bad, UNIT), text.replace(/^ExecStart=\S+/m, `ExecStart=${bad}/missing`));
  const r2 = await analyze(["verify", join(bad, UNIT)], runtime);
  assert.ok(
    r2.code !== 0 || ourComplaints(r2.stdout + r2.stderr).length > 0,
    "missing ExecStart not caught",
  );
}

Deno.test({
  name: "systemd-analyze verify accepts the rendered system and user units",
  ignore: !HAS_ANALYZE && !CI,
  async fn() {
    assert.ok(HAS_ANALYZE, "systemd-analyze is required when CI is set (apt-get install -y systemd)");
    await withSandbox(async (sb) => {
      ok(await install(sb, std(sb)), "install");
      ok(await install(sb, std(sb, "--user")), "install --user");
      const runtime = join(sb.root, "run");
      await Deno.mkdir(runtime, { mode: 0o700 });

      const sys = await analyze(["verify", systemUnit(sb)], runtime);
      assert.equal(sys.code, 0, sys.stderr);
      assert.deepEqual(ourComplaints(sys.stdout + sys.stderr), [], "systemd-analyze verify (system)");

      const userUnit = join(sb.dest, MY_HOME, ".config/systemd/user", UNIT);
      const usr = await analyze(["--user", "verify", userUnit], runtime);
      assert.equal(usr.code, 0, usr.stderr);
      assert.deepEqual(ourComplaints(usr.stdout + usr.stderr), [], "systemd-analyze verify (user)");

      await assertAnalyzeCatchesFaults(systemUnit(sb), join(sb.root, "bad"), runtime);
      await assertNoSystemctl(sb);
    });
  },
});
