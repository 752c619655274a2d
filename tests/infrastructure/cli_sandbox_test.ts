import assert from "node:assert/strict";
import { SHARED_CLI_STATE } from "../../infrastructure/cli_state.ts";
import { createCliSandbox } from "../../infrastructure/cli_sandbox.ts";
import { ConfigError } from "../../infrastructure/config.ts";
import { withTempDir } from "./with_temp_dir.ts";

const BWRAP = { places: ["/usr/bin/bwrap"] };
const OFF = { mode: "off" as const, roPaths: [], rwPaths: [] };
const BWRAP_ON = { mode: "bwrap" as const, roPaths: ["/etc"], rwPaths: [] };

Deno.test("createCliSandbox() is null when SANDBOX=off, and looks for nothing", () => {
  const files = { home: undefined, gatewayDirs: ["/nowhere"], secretFiles: [] };
  assert.equal(createCliSandbox(OFF, files, { places: [], isExecutable: () => assert.fail("looked") }), null);
});

Deno.test("createCliSandbox() hides the gateway's real directories (not / nor HOME's) and its existing secret files", () => {
  withTempDir("cc2api-cli-sandbox-", (dir) => {
    const real = Deno.realPathSync(dir);
    Deno.mkdirSync(`${dir}/gateway`);
    Deno.mkdirSync(`${dir}/home`);
    Deno.writeTextFileSync(`${dir}/gateway/.env`, "AUTH_PASSWORD=x\n");
    Deno.symlinkSync(`${dir}/gateway/.env`, `${dir}/env-link`);
    const sandbox = createCliSandbox(BWRAP_ON, {
      home: `${dir}/home`,
      gatewayDirs: [`${dir}/gateway`, `${dir}/gateway/.`, dir, "/", `${dir}/missing`],
      secretFiles: [`${dir}/env-link`, `${dir}/gateway/.env`, `${dir}/missing`],
    }, BWRAP);
    assert.deepEqual(sandbox, {
      bwrapPath: "/usr/bin/bwrap",
      home: `${dir}/home`,
      hiddenDirs: [`${real}/gateway`],
      hiddenFiles: [`${real}/gateway/.env`],
      roPaths: ["/etc"],
      rwPaths: [],
    });
    // The CLI's state is made when missing: the sandbox binds over it, and shares the sessions' state.
    assert.equal(Deno.readTextFileSync(`${dir}/home/.claude.json`), "{}");
    for (const name of SHARED_CLI_STATE) {
      assert.ok(Deno.statSync(`${dir}/home/.claude/${name}`).isDirectory, name);
    }
  });
});

Deno.test("createCliSandbox() needs HOME under SANDBOX=bwrap", () => {
  assert.throws(
    () => createCliSandbox(BWRAP_ON, { home: undefined, gatewayDirs: ["/x"], secretFiles: [] }, BWRAP),
    (error: unknown) => error instanceof ConfigError && error.message.includes("needs HOME"),
  );
});
