// systemd's own checker on the template unit for several gateways on one host, rendered as its header says.
import assert from "node:assert/strict";
import { canRun } from "../../testkit/run_tool.ts";

const TEMPLATE = new URL("../../claudecode2api@.service", import.meta.url);

Deno.test("systemd-analyze verify accepts an instance of claudecode2api@.service, rendered", {
  ignore: !canRun(["systemd-analyze"]),
}, async () => {
  const dir = await Deno.makeTempDir({ prefix: "template-unit-" });
  try {
    const text = (await Deno.readTextFile(TEMPLATE))
      .replaceAll("@USER@", "root")
      .replaceAll("@HOME@", dir)
      .replaceAll("@WORKDIR@", dir)
      .replaceAll("@DENO@", Deno.execPath())
      .replaceAll("@PATH@", "/usr/bin:/bin");
    assert.doesNotMatch(text, /@[A-Z]+@/);
    await Deno.writeTextFile(`${dir}/.env`, "REDIS_URL=redis://127.0.0.1:6379\n");
    await Deno.writeTextFile(`${dir}/main.ts`, "");
    await Deno.writeTextFile(`${dir}/claudecode2api@.service`, text);
    await Deno.mkdir(`${dir}/run`, { mode: 0o700 });
    const output = await new Deno.Command("systemd-analyze", {
      args: ["verify", `${dir}/claudecode2api@9877.service`],
      env: { XDG_RUNTIME_DIR: `${dir}/run`, SYSTEMD_LOG_COLOR: "0", SYSTEMD_PAGER: "" },
    }).output();
    const said = new TextDecoder().decode(output.stdout) + new TextDecoder().decode(output.stderr);
    const ours = said.split("\n").filter((line) => line.includes("claudecode2api"));
    assert.equal(output.code, 0, said);
    assert.deepEqual(ours, [], said);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
