import assert from "node:assert/strict";
import {
  detectClaudePath,
  findClaudeCli,
  findSetsid,
  globalNpmPrefix,
  isExecutableFile,
} from "../../infrastructure/cli_path.ts";
import { withTempDir } from "./with_temp_dir.ts";

/** Asserts what isExecutableFile() says of a script written with `mode`. */
function assertExecutableWithMode(mode: number, expected: boolean): void {
  withTempDir("cli_path_test_", (dir) => {
    const path = `${dir}/claude`;
    Deno.writeTextFileSync(path, "#!/bin/sh\n");
    Deno.chmodSync(path, mode);
    assert.equal(isExecutableFile(path), expected);
  });
}

Deno.test("isExecutableFile() is true for a file with mode 0o755", () => {
  assertExecutableWithMode(0o755, true);
});

Deno.test("isExecutableFile() is true when only one execute bit is set", () => {
  assertExecutableWithMode(0o601, true);
});

Deno.test("isExecutableFile() is false for a file with mode 0o644", () => {
  assertExecutableWithMode(0o644, false);
});

Deno.test("isExecutableFile() is false for a directory, even with execute bits", () => {
  withTempDir("cli_path_test_", (dir) => {
    Deno.mkdirSync(`${dir}/claude`, { mode: 0o755 });
    assert.equal(isExecutableFile(`${dir}/claude`), false);
  });
});

Deno.test("isExecutableFile() is false for a missing path", () => {
  withTempDir("cli_path_test_", (dir) => {
    assert.equal(isExecutableFile(`${dir}/missing`), false);
    assert.equal(isExecutableFile(`${dir}/missing/deeper/claude`), false);
  });
});

Deno.test("isExecutableFile() follows a symlink to an executable file", () => {
  withTempDir("cli_path_test_", (dir) => {
    Deno.writeTextFileSync(`${dir}/real`, "#!/bin/sh\n");
    Deno.chmodSync(`${dir}/real`, 0o755);
    Deno.symlinkSync(`${dir}/real`, `${dir}/claude`);
    Deno.symlinkSync(`${dir}/gone`, `${dir}/dangling`);
    assert.equal(isExecutableFile(`${dir}/claude`), true);
    assert.equal(isExecutableFile(`${dir}/dangling`), false);
  });
});

Deno.test("detectClaudePath() with isExecutableFile finds a real executable on PATH", () => {
  withTempDir("cli_path_test_", (dir) => {
    Deno.mkdirSync(`${dir}/empty`);
    Deno.mkdirSync(`${dir}/plain`);
    Deno.mkdirSync(`${dir}/bin`);
    Deno.writeTextFileSync(`${dir}/plain/claude`, "not executable");
    Deno.chmodSync(`${dir}/plain/claude`, 0o644);
    Deno.writeTextFileSync(`${dir}/bin/claude`, "#!/bin/sh\n");
    Deno.chmodSync(`${dir}/bin/claude`, 0o755);
    const found = detectClaudePath({
      searchPath: `${dir}/empty:${dir}/plain:${dir}/bin`,
      isExecutable: isExecutableFile,
    });
    assert.deepEqual(found, { path: `${dir}/bin/claude` });
  });
});

/** Writes an executable shell script at `path`. */
function script(path: string, body: string): string {
  Deno.writeTextFileSync(path, `#!/bin/sh\n${body}\n`);
  Deno.chmodSync(path, 0o755);
  return path;
}

Deno.test("globalNpmPrefix() asks npm for its global prefix and trims the answer", () => {
  withTempDir("cli_path_test_", (dir) => {
    const npm = script(`${dir}/npm`, '[ "$1 $2" = "prefix -g" ] || exit 9\necho "/opt/npm-global"');
    assert.equal(globalNpmPrefix(npm), "/opt/npm-global");
  });
});

Deno.test("globalNpmPrefix() gives undefined when npm fails, prints nothing or is missing", () => {
  withTempDir("cli_path_test_", (dir) => {
    assert.equal(globalNpmPrefix(script(`${dir}/failing`, "echo /opt/x; exit 1")), undefined);
    assert.equal(globalNpmPrefix(script(`${dir}/silent`, "exit 0")), undefined);
    assert.equal(globalNpmPrefix(`${dir}/missing`), undefined);
  });
});

Deno.test("findClaudeCli() finds a real executable on the PATH of the given environment", () => {
  withTempDir("cli_path_test_", (dir) => {
    Deno.mkdirSync(`${dir}/bin`);
    Deno.mkdirSync(`${dir}/home`);
    const claude = script(`${dir}/bin/claude`, "exit 0");
    assert.deepEqual(findClaudeCli(null, { PATH: `${dir}/bin`, HOME: `${dir}/home` }), { path: claude });
  });
});

Deno.test("findClaudeCli() checks a configured path as a real file, without falling back", () => {
  withTempDir("cli_path_test_", (dir) => {
    Deno.mkdirSync(`${dir}/bin`);
    const claude = script(`${dir}/bin/claude`, "exit 0");
    const env = { PATH: `${dir}/bin`, HOME: dir };
    assert.deepEqual(findClaudeCli(claude, env), { path: claude });
    const missing = findClaudeCli(`${dir}/missing`, env);
    assert.equal(missing.path, `${dir}/missing`);
    assert.match(missing.error ?? "", /CLAUDE_PATH ".*\/missing" is not an executable file/);
  });
});

Deno.test("findSetsid() takes /usr/bin/setsid, then /bin/setsid, else null", () => {
  assert.equal(findSetsid(() => true), "/usr/bin/setsid");
  assert.equal(findSetsid((path) => path === "/bin/setsid"), "/bin/setsid");
  assert.equal(findSetsid(() => false), null);
});

Deno.test("findSetsid() with the real file check gives an executable file or null", () => {
  const found = findSetsid();
  assert.ok(found === null || isExecutableFile(found), String(found));
});
