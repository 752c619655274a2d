// Tests for install.sh and the claudecode2api.service template.
//
// Every test copies the files the installer needs into a fresh temp directory and runs it there
// with --root/DESTDIR, so nothing outside the temp directory is written: the real repo's .env is
// never touched, systemctl is never called (a fake one on PATH records any call), and the Deno
// that runs these tests is first on PATH, so nothing is downloaded (--no-cache skips `deno install`).
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";

const REPO = resolve(import.meta.dirname!, "..", "..");
const CI = !!Deno.env.get("CI");
const UNIT = "claudecode2api.service";
const START_FLAGS = ["--allow-net", "--allow-env", "--allow-read", "--allow-run"];

function has(cmd: string): boolean {
  const r = new Deno.Command("sh", { args: ["-c", `command -v ${cmd}`], stdout: "null", stderr: "null" })
    .outputSync();
  return r.success;
}
const HAS_SHELLCHECK = has("shellcheck");
const HAS_ANALYZE = has("systemd-analyze");

function sh(cmd: string): string {
  const r = new Deno.Command("sh", { args: ["-c", cmd] }).outputSync();
  assert.ok(r.success, `${cmd} failed`);
  return new TextDecoder().decode(r.stdout).trim();
}
const ME = sh("id -un");
const MY_HOME = sh(`getent passwd "$(id -un)" | cut -d: -f6`);

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.lstat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

interface Sandbox {
  root: string;
  repo: string;
  dest: string;
  home: string;
  bin: string;
  systemctlLog: string;
}

/** A temp dir with repo/ (copies of the files install.sh needs), dest/ (empty), home/ and bin/. */
async function makeSandbox(): Promise<Sandbox> {
  const root = await Deno.makeTempDir({ prefix: "cc2a-install-" });
  const sb: Sandbox = {
    root,
    repo: join(root, "repo"),
    dest: join(root, "dest"),
    home: join(root, "home"),
    bin: join(root, "bin"),
    systemctlLog: join(root, "systemctl-calls.log"),
  };
  for (const d of [sb.repo, sb.dest, sb.home, sb.bin]) await Deno.mkdir(d);
  for (const f of ["install.sh", UNIT, "deno.json", "deno.lock", "main.ts", ".env.example"]) {
    if (await exists(join(REPO, f))) await Deno.copyFile(join(REPO, f), join(sb.repo, f));
  }
  await Deno.chmod(join(sb.repo, "install.sh"), 0o755);
  if (!(await exists(join(sb.repo, "main.ts")))) {
    await Deno.writeTextFile(join(sb.repo, "main.ts"), "// stand-in: the real main.ts is not written yet\n");
  }
  if (!(await exists(join(sb.repo, ".env.example")))) {
    // Stand-in until the lead's .env.example exists.
    await Deno.writeTextFile(
      join(sb.repo, ".env.example"),
      [
        "# claudecode2api configuration",
        "HOST=127.0.0.1",
        "PORT=9876",
        "AUTH_USER=admin",
        "# Required. install.sh generates one.",
        "AUTH_PASSWORD=",
        "# CLAUDE_PATH=claude",
        "LOG_LEVEL=info",
        "CANCEL_GRACE_S=5",
        "",
      ].join("\n"),
    );
  }
  // Any systemctl call is recorded and fails: the tests must never reach the real one.
  await Deno.writeTextFile(
    join(sb.bin, "systemctl"),
    `#!/bin/sh\necho "systemctl $*" >> '${sb.systemctlLog}'\nexit 1\n`,
  );
  await Deno.chmod(join(sb.bin, "systemctl"), 0o755);
  return sb;
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

async function install(sb: Sandbox, args: string[], extraEnv: Record<string, string> = {}): Promise<Result> {
  const out = await new Deno.Command("bash", {
    args: [join(sb.repo, "install.sh"), ...args],
    cwd: sb.repo,
    clearEnv: true,
    env: {
      // The Deno running these tests comes first, so the installer finds it and downloads nothing.
      PATH: `${sb.bin}:${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
      HOME: sb.home,
      LANG: "C.UTF-8",
      ...extraEnv,
    },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Standard arguments: sandbox tree, no dependency cache, and the current user even if it is root. */
function std(sb: Sandbox, ...more: string[]): string[] {
  return ["--root", sb.dest, "--no-cache", "--allow-root", ...more];
}

function ok(r: Result, what: string) {
  assert.equal(
    r.code,
    0,
    `${what} failed (exit ${r.code})\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`,
  );
}

/** Every entry under dir: type, mode, mtime, and sha256 or link target. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(d: string, rel: string) {
    const names: string[] = [];
    for await (const e of Deno.readDir(d)) names.push(e.name);
    for (const name of names.sort()) {
      const path = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = await Deno.lstat(path);
      const mode = ((st.mode ?? 0) & 0o7777).toString(8);
      if (st.isSymlink) {
        out[r] = `link -> ${await Deno.readLink(path)}`;
      } else if (st.isDirectory) {
        out[r] = `dir ${mode}`;
        await walk(path, r);
      } else {
        const sum = new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(path)));
        const hex = Array.from(sum, (b) => b.toString(16).padStart(2, "0")).join("");
        out[r] = `file ${mode} ${st.mtime?.getTime()} ${hex}`;
      }
    }
  }
  await walk(dir, "");
  return out;
}

/** Parses a unit file into section -> list of [key, value] (comments dropped). */
function parseUnit(text: string): Map<string, [string, string][]> {
  const sections = new Map<string, [string, string][]>();
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const m = line.match(/^\[(.+)\]$/);
    if (m) {
      current = m[1];
      sections.set(current, []);
      continue;
    }
    const eq = line.indexOf("=");
    assert.ok(eq > 0 && current, `bad unit line: ${line}`);
    sections.get(current)!.push([line.slice(0, eq), line.slice(eq + 1)]);
  }
  return sections;
}

function values(unit: Map<string, [string, string][]>, section: string, key: string): string[] {
  return (unit.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);
}

function one(unit: Map<string, [string, string][]>, section: string, key: string): string {
  const v = values(unit, section, key);
  assert.equal(v.length, 1, `expected exactly one ${key}= in [${section}], got ${JSON.stringify(v)}`);
  return v[0];
}

function envValue(envText: string, key: string): string[] {
  return envText.split("\n").filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
}

async function assertNoSystemctl(sb: Sandbox) {
  assert.ok(
    !(await exists(sb.systemctlLog)),
    `systemctl was called: ${await Deno.readTextFile(sb.systemctlLog).catch(() => "")}`,
  );
}

const systemUnit = (sb: Sandbox) => join(sb.dest, "etc/systemd/system", UNIT);
const systemWants = (sb: Sandbox) => join(sb.dest, "etc/systemd/system/multi-user.target.wants", UNIT);

// --------------------------------------------------------------------------------------------------

Deno.test({
  name: "install.sh: bash -n and shellcheck are clean",
  ignore: !HAS_SHELLCHECK && !CI,
  async fn() {
    assert.ok(HAS_SHELLCHECK, "shellcheck is required when CI is set (apt-get install -y shellcheck)");
    const script = join(REPO, "install.sh");
    const syntax = await new Deno.Command("bash", { args: ["-n", script] }).output();
    assert.ok(syntax.success, new TextDecoder().decode(syntax.stderr));
    const sc = await new Deno.Command("shellcheck", { args: ["--severity=style", script] }).output();
    assert.ok(sc.success, `shellcheck:\n${new TextDecoder().decode(sc.stdout)}`);
  },
});
if (!HAS_SHELLCHECK && !CI) console.warn("install tests: shellcheck not installed, shellcheck test skipped");

Deno.test("install.sh --help documents every option", async () => {
  const sb = await makeSandbox();
  try {
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
  } finally {
    await Deno.remove(sb.root, { recursive: true });
  }
});

Deno.test("install.sh --dry-run prints every step and changes nothing", async () => {
  const sb = await makeSandbox();
  try {
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
  } finally {
    await Deno.remove(sb.root, { recursive: true });
  }
});

Deno.test("DESTDIR install renders the unit for this user, checkout and Deno", async () => {
  const sb = await makeSandbox();
  try {
    // DESTDIR= from the environment (the other tests use --root).
    const r = await install(sb, ["--no-cache", "--allow-root"], { DESTDIR: sb.dest });
    ok(r, "install");
    await assertNoSystemctl(sb);

    // Exactly the unit and its enable symlink, nothing else in the tree.
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
    const path = env.find((e) => e.startsWith("PATH="));
    assert.ok(path, "PATH missing");

    // ExecStart: absolute Deno + the exact permissions of `deno task start` + absolute main.ts.
    const exec = one(unit, "Service", "ExecStart").split(" ");
    const deno = exec[0];
    assert.ok(deno.startsWith("/"), `deno path not absolute: ${deno}`);
    assert.ok(((await Deno.stat(deno)).mode! & 0o111) !== 0, `${deno} is not executable`);
    assert.ok(path!.split(/[=:]/).includes(dirname(deno)), "Deno's directory is not on the unit's PATH");
    assert.deepEqual(exec.slice(1), ["run", ...START_FLAGS, `${sb.repo}/main.ts`]);
    const task: string = JSON.parse(await Deno.readTextFile(join(REPO, "deno.json"))).tasks.start;
    assert.deepEqual(
      task.split(/\s+/).filter((w) => w.startsWith("--")),
      START_FLAGS,
      "deno.json's start task and the unit's ExecStart disagree on permissions",
    );

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
    assert.equal(one(unit, "Install", "WantedBy"), "multi-user.target");

    assert.match(r.stdout, /systemctl is not called/);
  } finally {
    await Deno.remove(sb.root, { recursive: true });
  }
});

Deno.test(".env gets a generated password (mode 600); a second run is a no-op and .env is never overwritten", async () => {
  const sb = await makeSandbox();
  const sb2 = await makeSandbox();
  try {
    const envPath = join(sb.repo, ".env");
    const first = await install(sb, std(sb));
    ok(first, "first run");
    assert.equal((await Deno.stat(envPath)).mode! & 0o777, 0o600);

    const envText = await Deno.readTextFile(envPath);
    const pw = envValue(envText, "AUTH_PASSWORD");
    assert.equal(pw.length, 1, "exactly one active AUTH_PASSWORD=");
    assert.match(pw[0], /^[0-9a-f]{48}$/, "48 hex characters (192 bits) expected");
    // Everything else is .env.example verbatim.
    const example = (await Deno.readTextFile(join(sb.repo, ".env.example"))).trimEnd().split("\n");
    const got = envText.trimEnd().split("\n");
    assert.equal(
      got.length,
      example.length + (example.some((l) => /^\s*#?\s*AUTH_PASSWORD\s*=/.test(l)) ? 0 : 1),
    );
    example.forEach((l, i) => {
      if (got[i] !== `AUTH_PASSWORD=${pw[0]}`) assert.equal(got[i], l);
    });
    // It says where the password is, but never prints it.
    assert.ok(first.stdout.includes(envPath), "the output does not say where the password is");
    assert.ok(!first.stdout.includes(pw[0]) && !first.stderr.includes(pw[0]), "the password was printed");

    // systemd's own EnvironmentFile parser (shared with environment.d) reads the same value.
    const gen = "/lib/systemd/user-environment-generators/30-systemd-environment-d-generator";
    if (await exists(gen)) {
      const cfg = join(sb.root, "xdg");
      await Deno.mkdir(join(cfg, "environment.d"), { recursive: true });
      await Deno.copyFile(envPath, join(cfg, "environment.d", "10-env.conf"));
      const out = await new Deno.Command(gen, {
        clearEnv: true,
        env: { XDG_CONFIG_HOME: cfg, HOME: sb.home },
      })
        .output();
      const parsed = new TextDecoder().decode(out.stdout);
      assert.ok(parsed.split("\n").includes(`AUTH_PASSWORD=${pw[0]}`), `systemd parsed:\n${parsed}`);
      await Deno.remove(cfg, { recursive: true });
    }

    // Second run: nothing changes (contents, modes and mtimes) and it says so.
    const before = await snapshot(sb.root);
    const second = await install(sb, std(sb));
    ok(second, "second run");
    assert.match(second.stdout, /kept existing .*\.env \(never overwritten\)/);
    assert.match(second.stdout, /unchanged: .*claudecode2api\.service/);
    assert.match(second.stdout, /already enabled/);
    assert.match(second.stdout, /Nothing to do: .*no changes made/);
    assert.deepEqual(await snapshot(sb.root), before);

    // A user-edited .env survives another run; only a too-open mode is tightened.
    const edited = "AUTH_USER=me\nAUTH_PASSWORD=my-own-password\nPORT=1234\n";
    await Deno.writeTextFile(envPath, edited);
    await Deno.chmod(envPath, 0o644);
    const third = await install(sb, std(sb));
    ok(third, "third run");
    assert.equal(await Deno.readTextFile(envPath), edited);
    assert.equal((await Deno.stat(envPath)).mode! & 0o777, 0o600);
    assert.match(third.stdout, /set mode 600/);

    // Another installation gets another password.
    ok(await install(sb2, std(sb2)), "install in a second sandbox");
    const pw2 = envValue(await Deno.readTextFile(join(sb2.repo, ".env")), "AUTH_PASSWORD");
    assert.notEqual(pw2[0], pw[0]);
    await assertNoSystemctl(sb);
    await assertNoSystemctl(sb2);
  } finally {
    await Deno.remove(sb.root, { recursive: true });
    await Deno.remove(sb2.root, { recursive: true });
  }
});

Deno.test("--uninstall removes the unit and symlink only, keeping .env (system and --user)", async () => {
  const sb = await makeSandbox();
  try {
    const before = await snapshot(sb.root);
    for (const mode of [[], ["--user"]]) {
      ok(await install(sb, std(sb, ...mode)), `install ${mode}`);
      const installed = await snapshot(sb.root);

      const dry = await install(sb, ["--uninstall", "--dry-run", "--root", sb.dest, ...mode]);
      ok(dry, "uninstall --dry-run");
      assert.match(dry.stdout, /would remove/);
      assert.deepEqual(await snapshot(sb.root), installed, "uninstall --dry-run changed something");

      const un = await install(sb, ["--uninstall", "--root", sb.dest, ...mode]);
      ok(un, `uninstall ${mode}`);
      assert.match(un.stdout, /removed .*claudecode2api\.service/);
      const after = await snapshot(sb.root);
      // Same tree as before installing, plus the .env that uninstall keeps.
      const { ".env": kept, ...rest } = Object.fromEntries(
        Object.entries(after).map(([k, v]) => [k.replace(/^repo\//, ""), v]),
      );
      assert.ok(kept?.startsWith("file 600"), ".env was not kept");
      assert.deepEqual(
        rest,
        Object.fromEntries(Object.entries(before).map(([k, v]) => [k.replace(/^repo\//, ""), v])),
      );

      const again = await install(sb, ["--uninstall", "--root", sb.dest, ...mode]);
      ok(again, "second uninstall");
      assert.match(again.stdout, /Nothing to uninstall/);
    }
    await assertNoSystemctl(sb);
  } finally {
    await Deno.remove(sb.root, { recursive: true });
  }
});

Deno.test("--user renders a user unit without User= and system-only sandboxing", async () => {
  const sb = await makeSandbox();
  try {
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
  } finally {
    await Deno.remove(sb.root, { recursive: true });
  }
});

Deno.test("refuses to run the service as root unless --allow-root", async () => {
  const sb = await makeSandbox();
  try {
    const before = await snapshot(sb.root);
    const r = await install(sb, ["--root", sb.dest, "--no-cache", "--service-user", "root"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /refusing to run the service as root/);
    assert.deepEqual(await snapshot(sb.root), before);
  } finally {
    await Deno.remove(sb.root, { recursive: true });
  }
});

Deno.test("a compiled ./claudecode2api binary is preferred over deno run", async () => {
  const sb = await makeSandbox();
  try {
    const bin = join(sb.repo, "claudecode2api");
    await Deno.writeTextFile(bin, "#!/bin/sh\nexit 0\n");
    await Deno.chmod(bin, 0o755);
    const r = await install(sb, std(sb));
    ok(r, "install");
    assert.match(r.stdout, /compiled binary found/);
    const unit = parseUnit(await Deno.readTextFile(systemUnit(sb)));
    assert.equal(one(unit, "Service", "ExecStart"), bin);
  } finally {
    await Deno.remove(sb.root, { recursive: true });
  }
});

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
  async fn() {
    const sb = await makeSandbox();
    try {
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
    } finally {
      await Deno.remove(sb.root, { recursive: true });
    }
  },
});

Deno.test({
  name: "without Deno and npm it falls back to the official installer (dry run)",
  ignore: HOME_DENO,
  async fn() {
    const sb = await makeSandbox();
    try {
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
    } finally {
      await Deno.remove(sb.root, { recursive: true });
    }
  },
});

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

Deno.test({
  name: "systemd-analyze verify accepts the rendered system and user units",
  ignore: !HAS_ANALYZE && !CI,
  async fn() {
    assert.ok(HAS_ANALYZE, "systemd-analyze is required when CI is set (apt-get install -y systemd)");
    const sb = await makeSandbox();
    try {
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

      // Control: the same check does catch a bad value and a missing executable, so the passes
      // above mean something (systemd-analyze only warns on bad values and still exits 0).
      const bad = join(sb.root, "bad");
      await Deno.mkdir(bad);
      const text = await Deno.readTextFile(systemUnit(sb));
      await Deno.writeTextFile(join(bad, UNIT), text.replace(/^KillMode=mixed$/m, "KillMode=sometimes"));
      const r1 = await analyze(["verify", join(bad, UNIT)], runtime);
      assert.ok(ourComplaints(r1.stdout + r1.stderr).some((l) => /KillMode|kill mode/i.test(l)), r1.stderr);
      await Deno.writeTextFile(join(bad, UNIT), text.replace(/^ExecStart=\S+/m, `ExecStart=${bad}/missing`));
      const r2 = await analyze(["verify", join(bad, UNIT)], runtime);
      assert.ok(
        r2.code !== 0 || ourComplaints(r2.stdout + r2.stderr).length > 0,
        "missing ExecStart not caught",
      );
      await assertNoSystemctl(sb);
    } finally {
      await Deno.remove(sb.root, { recursive: true });
    }
  },
});

Deno.test({
  name: "the repo's .env.example can be read by systemd's EnvironmentFile=",
  ignore: !(await exists(join(REPO, ".env.example"))),
  async fn() {
    // systemd keeps a trailing "# comment" as part of the value (PORT="9876 # port"), and the
    // unit's EnvironmentFile= values override what the server reads from .env.
    const lines = (await Deno.readTextFile(join(REPO, ".env.example"))).split("\n");
    const bad = lines.filter((l) => /^\s*[A-Za-z_][A-Za-z0-9_]*=[^"'#]*\s#/.test(l));
    assert.deepEqual(bad, [], "move these comments onto their own lines");
  },
});
