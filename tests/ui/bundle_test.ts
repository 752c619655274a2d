import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;
const COMMITTED = `${ROOT}ui/dist/console.js`;

Deno.test("the committed console bundle is what `deno task build:ui` builds from ui/ now", async () => {
  const out = await Deno.makeTempDir({ prefix: "cc2api-bundle-" });
  try {
    const task = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)).tasks["build:ui"] as string;
    // The task as written, with only its output moved.
    const args = task.replace(/^deno /, "").replace(
      "--output=ui/dist/console.js",
      `--output=${out}/console.js`,
    );
    assert.notEqual(args, task.replace(/^deno /, ""), "the task writes ui/dist/console.js");
    const built = await new Deno.Command(Deno.execPath(), {
      args: args.split(" "),
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    })
      .output();
    assert.ok(built.success, new TextDecoder().decode(built.stderr));
    const fresh = await Deno.readTextFile(`${out}/console.js`);
    const committed = await Deno.readTextFile(COMMITTED);
    assert.ok(fresh === committed, "ui/dist/console.js is stale: run `deno task build:ui` and commit it");
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
