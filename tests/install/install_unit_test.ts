// The systemd unit install.sh renders: system (DESTDIR), --user, and for a compiled binary.
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import {
  assertNoSystemctl,
  exists,
  install,
  ME,
  MY_HOME,
  ok,
  REPO,
  type Sandbox,
  std,
  systemUnit,
  systemWants,
  UNIT,
  withSandbox,
} from "./sandbox.ts";
import { snapshot } from "./snapshot.ts";
import { one, parseUnit, type UnitFile, values } from "./unit_file.ts";

const START_FLAGS = ["--allow-net", "--allow-env", "--allow-read", "--allow-write", "--allow-run"];

/** Exactly the unit and its enable symlink are in the tree, nothing else, and HOME is untouched. */
async function assertOnlyUnitWritten(sb: Sandbox): Promise<void> {
  assert.deepEqual(Object.keys(await snapshot(sb.dest)).sort(), [
    "etc",
    "etc/systemd",
    "etc/systemd/system",
    `etc/systemd/system/${UNIT}`,
    "etc/systemd/system/multi-user.target.wants",
    `etc/systemd/system/multi-user.target.wants/${UNIT}`,
  ]);
  assert.equal((await Deno.stat(systemUnit(sb))).mode! & 0o777, 0o644);
  assert.equal(await Deno.readLink(systemWants(sb)), `/etc/systemd/system/${UNIT}`);
  assert.deepEqual(await snapshot(sb.home), {}, "HOME was written to");
}

/** ExecStart: absolute Deno + the exact permissions of `deno task start` + absolute main.ts. */
async function assertExecStart(unit: UnitFile, sb: Sandbox): Promise<void> {
  const path = values(unit, "Service", "Environment").find((e) => e.startsWith("PATH="));
  assert.ok(path, "PATH missing");
  const exec = one(unit, "Service", "ExecStart").split(" ");
  const deno = exec[0];
  assert.ok(deno.startsWith("/"), `deno path not absolute: ${deno}`);
  assert.ok(((await Deno.stat(deno)).mode! & 0o111) !== 0, `${deno} is not executable`);
  assert.ok(path.split(/[=:]/).includes(dirname(deno)), "Deno's directory is not on the unit's PATH");
  assert.deepEqual(exec.slice(1), ["run", ...START_FLAGS, `${sb.repo}/main.ts`]);
  const task: string = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json"))).tasks.start;
  assert.deepEqual(
    task.split(/\s+/).filter((w) => w.startsWith("--")),
    START_FLAGS,
    "deno.json's start task and the unit's ExecStart disagree on permissions",
  );
}

/** Restarts, stopping, limits and the hardening that the CLI tolerates. */
function assertServiceSettings(unit: UnitFile): void {
  assert.equal(one(unit, "Service", "Restart"), "on-failure");
  assert.equal(one(unit, "Service", "RestartSec"), "2");
  assert.equal(one(unit, "Service", "KillMode"), "mixed");
  assert.equal(one(unit, "Service", "KillSignal"), "SIGTERM");
  const stopSec = Number(one(unit, "Service", "TimeoutStopSec"));
  assert.ok(stopSec >= 5 + 3 + 5, `TimeoutStopSec=${stopSec} leaves no room for CANCEL_GRACE_MS + 3 s`);
  assert.equal(one(unit, "Service", "LimitNOFILE"), "65536");
  assert.equal(one(unit, "Service", "NoNewPrivileges"), "true");
  assert.equal(one(unit, "Service", "ProtectSystem"), "full");
  // Hardening that would break the CLI (writes anywhere, $HOME, /tmp, ptys, JIT) is absent.
  for (
    const k of ["ProtectHome", "PrivateTmp", "PrivateDevices", "ProtectClock", "MemoryDenyWriteExecute"]
  ) {
    assert.deepEqual(values(unit, "Service", k), [], `${k}= must not be set`);
  }
}

Deno.test("DESTDIR install renders the unit for this user, checkout and Deno", () =>
  withSandbox(async (sb) => {
    // DESTDIR= from the environment (the other tests use --root).
    const r = await install(sb, ["--no-cache", "--allow-root"], { DESTDIR: sb.dest });
    ok(r, "install");
    await assertNoSystemctl(sb);
    await assertOnlyUnitWritten(sb);

    const text = await Deno.readTextFile(systemUnit(sb));
    assert.doesNotMatch(text, /@(USER|HOME|WORKDIR|DENO|PATH)@/, "unfilled placeholder");
    const unit = parseUnit(text);
    assert.deepEqual([...unit.keys()], ["Unit", "Service", "Install"]);
    assert.equal(one(unit, "Unit", "After"), "network-online.target");
    assert.equal(one(unit, "Unit", "Wants"), "network-online.target");

    assert.equal(one(unit, "Service", "Type"), "simple");
    assert.equal(one(unit, "Service", "User"), ME);
    assert.equal(one(unit, "Service", "WorkingDirectory"), sb.repo);
    assert.equal(one(unit, "Service", "EnvironmentFile"), `${sb.repo}/.env`);
    const env = values(unit, "Service", "Environment");
    assert.ok(env.includes(`HOME=${MY_HOME}`), `HOME missing: ${env}`);
    await assertExecStart(unit, sb);
    assertServiceSettings(unit);
    assert.equal(one(unit, "Install", "WantedBy"), "multi-user.target");

    assert.match(r.stdout, /systemctl is not called/);
  }));

Deno.test("--user renders a user unit without User= and system-only sandboxing", () =>
  withSandbox(async (sb) => {
    ok(await install(sb, std(sb, "--user")), "install --user");
    const dir = join(sb.dest, MY_HOME, ".config/systemd/user");
    const unit = parseUnit(await Deno.readTextFile(join(dir, UNIT)));
    assert.equal(
      await Deno.readLink(join(dir, "default.target.wants", UNIT)),
      join(MY_HOME, ".config/systemd/user", UNIT),
    );
    assert.deepEqual(values(unit, "Service", "User"), []);
    assert.deepEqual(values(unit, "Service", "ProtectSystem"), []);
    assert.equal(one(unit, "Service", "NoNewPrivileges"), "true");
    assert.equal(one(unit, "Service", "KillMode"), "mixed");
    assert.equal(one(unit, "Install", "WantedBy"), "default.target");
    assert.ok(!(await exists(join(sb.dest, "etc"))), "--user also wrote a system unit");
    await assertNoSystemctl(sb);
  }));

Deno.test("a compiled ./claudecode2api binary is preferred over deno run", () =>
  withSandbox(async (sb) => {
    const bin = join(sb.repo, "claudecode2api");
    await Deno.writeTextFile(bin, "#!/bin/sh\nexit 0\n");
    await Deno.chmod(bin, 0o755);
    const r = await install(sb, std(sb));
    ok(r, "install");
    assert.match(r.stdout, /compiled binary found/);
    const unit = parseUnit(await Deno.readTextFile(systemUnit(sb)));
    assert.equal(one(unit, "Service", "ExecStart"), bin);
  }));
