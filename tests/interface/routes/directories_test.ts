import assert from "node:assert/strict";
import { AUTH, buildTestApp, type ErrorJson } from "../../support/test_app.ts";

/** A temp tree: `root/{a,b,.hidden,link-out → outside,link-in → root/a}`, `root/file.txt`, and `outside/`. */
async function withTree(fn: (root: string, outside: string) => Promise<void>): Promise<void> {
  const base = await Deno.realPath(await Deno.makeTempDir({ prefix: "cc2api-dirs-" }));
  try {
    const root = `${base}/root`;
    const outside = `${base}/outside`;
    for (const dir of [root, `${root}/a`, `${root}/a/deep`, `${root}/b`, `${root}/.hidden`, outside]) {
      await Deno.mkdir(dir);
    }
    await Deno.writeTextFile(`${root}/file.txt`, "x");
    await Deno.symlink(outside, `${root}/link-out`);
    await Deno.symlink(`${root}/a`, `${root}/link-in`);
    await fn(root, outside);
  } finally {
    await Deno.remove(base, { recursive: true });
  }
}

const list = (app: ReturnType<typeof buildTestApp>["app"], path?: string) =>
  app.request(`/directories${path === undefined ? "" : `?path=${encodeURIComponent(path)}`}`, {
    headers: AUTH,
  });

Deno.test("GET /directories lists subdirectories inside the roots, following symlinks, never out of them", async () => {
  await withTree(async (root, outside) => {
    const { app } = buildTestApp({ directoryRoots: [root] });
    const response = await list(app);
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.path, root);
    assert.equal(body.parent, null, "the root's parent is outside");
    assert.deepEqual(body.directories, [
      { name: "a", path: `${root}/a` },
      { name: "b", path: `${root}/b` },
      { name: "link-in", path: `${root}/a` },
    ]);
    const down = await (await list(app, `${root}/link-in`)).json();
    assert.equal(down.path, `${root}/a`, "the real path is listed");
    assert.equal(down.parent, root);
    assert.deepEqual(down.directories, [{ name: "deep", path: `${root}/a/deep` }]);

    const escaped = await list(app, `${root}/link-out`);
    assert.equal(escaped.status, 403);
    const refused = await escaped.json() as ErrorJson;
    assert.equal(refused.error.details?.[0].field, "path");
    assert.ok(refused.error.message.includes(`real path "${outside}"`), refused.error.message);
    assert.equal((await list(app, "/")).status, 403);
    assert.equal((await list(app, `${root}/nothing`)).status, 404);
    assert.equal((await list(app, `${root}/file.txt`)).status, 422);
    assert.equal((await list(app, "relative")).status, 422);
  });
});

Deno.test("GET /directories without roots stays inside the home; several roots are listed as such", async () => {
  await withTree(async (root, outside) => {
    const home = buildTestApp({ home: `${root}/a` }).app;
    const inHome = await (await list(home)).json();
    assert.equal(inHome.path, `${root}/a`);
    assert.deepEqual(inHome.roots, [`${root}/a`]);
    assert.equal((await list(home, root)).status, 403);
    const two = buildTestApp({ directoryRoots: [root, outside] }).app;
    const roots = await (await list(two)).json();
    assert.equal(roots.path, null);
    assert.deepEqual(roots.directories.map((dir: { path: string }) => dir.path), [root, outside]);
    assert.equal((await home.request("/directories")).status, 401);
  });
});
