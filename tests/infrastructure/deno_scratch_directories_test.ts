import assert from "node:assert/strict";
import { DenoScratchDirectories } from "../../infrastructure/deno_scratch_directories.ts";

Deno.test("DenoScratchDirectories makes private empty directories under its root (made too), and removes them", async () => {
  const dir = await Deno.makeTempDir({ prefix: "scratch-dirs-" });
  try {
    const scratch = new DenoScratchDirectories(`${dir}/cache/scratch`);
    const first = await scratch.create();
    const second = await scratch.create();
    assert.notEqual(first, second);
    for (const path of [first, second]) {
      assert.match(
        path,
        new RegExp(`^${await Deno.realPath(dir)}/cache/scratch/conversation-[A-Za-z0-9]{10}$`),
      );
      const info = await Deno.stat(path);
      assert.ok(info.isDirectory);
      assert.equal(info.mode! & 0o777, 0o700);
      assert.deepEqual([...Deno.readDirSync(path)], []);
    }
    await Deno.writeTextFile(`${first}/made-by-the-cli.txt`, "x");
    await scratch.remove(first);
    await assert.rejects(Deno.stat(first), Deno.errors.NotFound);
    assert.ok((await Deno.stat(second)).isDirectory);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("DenoScratchDirectories refuses to remove anything it did not make", async () => {
  const scratch = new DenoScratchDirectories("/tmp/unused-scratch-root");
  await assert.rejects(scratch.remove("/home"), /not a scratch directory/);
  await assert.rejects(scratch.remove("/tmp/conversation-../.."), /not a scratch directory/);
});
