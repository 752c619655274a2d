import assert from "node:assert/strict";
import { DenoDirectories } from "../../infrastructure/deno_directories.ts";

Deno.test("DenoDirectories.resolve() follows symlinks to the real path and tells files from directories", async () => {
  const root = await Deno.realPath(await Deno.makeTempDir());
  try {
    await Deno.mkdir(`${root}/real`);
    await Deno.writeTextFile(`${root}/file.txt`, "x");
    await Deno.symlink(`${root}/real`, `${root}/link`);
    await Deno.symlink("/", `${root}/escape`);
    const directories = new DenoDirectories();
    assert.deepEqual(await directories.resolve(`${root}/link`), { path: `${root}/real`, isDirectory: true });
    assert.deepEqual(await directories.resolve(`${root}/escape`), { path: "/", isDirectory: true });
    assert.deepEqual(await directories.resolve(`${root}/file.txt`), {
      path: `${root}/file.txt`,
      isDirectory: false,
    });
    assert.equal(await directories.resolve(`${root}/missing`), null);
    assert.deepEqual(await directories.resolve(`${root}/real/../real`), {
      path: `${root}/real`,
      isDirectory: true,
    });
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});
