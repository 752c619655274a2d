import assert from "node:assert/strict";
import { detectClaudePath, usualPlaces } from "../../infrastructure/cli_path.ts";

/** An `isExecutable` over a fixed set of paths that also records every path it was asked about. */
function executables(...paths: string[]) {
  const asked: string[] = [];
  const isExecutable = (path: string) => {
    asked.push(path);
    return paths.includes(path);
  };
  return { isExecutable, asked };
}

const HOME = "/home/ada";
/** The usual places under HOME, in the order they are tried. */
const HOME_PLACES = [
  "/home/ada/.local/bin/claude",
  "/home/ada/.claude/local/claude",
  "/home/ada/.npm-global/bin/claude",
];
/** The usual places outside any home, in the order they are tried. */
const SYSTEM_PLACES = ["/usr/local/bin/claude", "/opt/homebrew/bin/claude"];

Deno.test("usualPlaces() lists the install places in order, the npm prefix last", () => {
  assert.deepEqual(usualPlaces(HOME, "/opt/npm"), [
    ...HOME_PLACES,
    ...SYSTEM_PLACES,
    "/opt/npm/bin/claude",
  ]);
});

Deno.test("usualPlaces() leaves out the home places without a home", () => {
  assert.deepEqual(usualPlaces(undefined, "/opt/npm"), [
    ...SYSTEM_PLACES,
    "/opt/npm/bin/claude",
  ]);
});

Deno.test("usualPlaces() leaves out the npm prefix when it is unknown", () => {
  assert.deepEqual(usualPlaces(HOME, undefined), [
    ...HOME_PLACES,
    ...SYSTEM_PLACES,
  ]);
});

Deno.test("detectClaudePath() uses an executable CLAUDE_PATH before anything else", () => {
  const fake = executables("/custom/claude", "/usr/bin/claude", "/usr/local/bin/claude");
  const found = detectClaudePath({
    configured: "/custom/claude",
    searchPath: "/usr/bin",
    home: HOME,
    isExecutable: fake.isExecutable,
  });
  assert.deepEqual(found, { path: "/custom/claude" });
  assert.deepEqual(fake.asked, ["/custom/claude"]);
});

Deno.test("detectClaudePath() reports a non-executable CLAUDE_PATH by name without falling back", () => {
  const fake = executables("/usr/bin/claude", "/usr/local/bin/claude");
  const found = detectClaudePath({
    configured: "/custom/not-there",
    searchPath: "/usr/bin",
    home: HOME,
    isExecutable: fake.isExecutable,
  });
  assert.equal(found.path, "/custom/not-there");
  assert.equal(typeof found.error, "string");
  assert.ok(found.error!.includes('CLAUDE_PATH "/custom/not-there"'), found.error);
  assert.match(found.error!, /not an executable file/);
  assert.deepEqual(fake.asked, ["/custom/not-there"]);
});

Deno.test("detectClaudePath() searches PATH in order and takes the first executable claude", () => {
  const fake = executables("/b/claude", "/c/claude", "/usr/local/bin/claude");
  const found = detectClaudePath({ searchPath: "/a:/b:/c", home: HOME, isExecutable: fake.isExecutable });
  assert.deepEqual(found, { path: "/b/claude" });
  assert.deepEqual(fake.asked, ["/a/claude", "/b/claude"]);
});

Deno.test("detectClaudePath() skips empty PATH entries", () => {
  const fake = executables("/b/claude");
  const found = detectClaudePath({ searchPath: "::/a::/b:", isExecutable: fake.isExecutable });
  assert.deepEqual(found, { path: "/b/claude" });
  assert.deepEqual(fake.asked, ["/a/claude", "/b/claude"]);
});

Deno.test("detectClaudePath() prefers PATH over the usual places", () => {
  const fake = executables("/home/ada/.local/bin/claude", "/usr/bin/claude");
  const found = detectClaudePath({ searchPath: "/usr/bin", home: HOME, isExecutable: fake.isExecutable });
  assert.deepEqual(found, { path: "/usr/bin/claude" });
});

Deno.test("detectClaudePath() tries the usual places in order after PATH", () => {
  const fake = executables();
  detectClaudePath({
    searchPath: "/a:/b",
    home: HOME,
    npmPrefix: "/opt/npm",
    isExecutable: fake.isExecutable,
  });
  assert.deepEqual(fake.asked, [
    "/a/claude",
    "/b/claude",
    ...HOME_PLACES,
    ...SYSTEM_PLACES,
    "/opt/npm/bin/claude",
  ]);
});

Deno.test("detectClaudePath() finds each usual place when it is the only one", () => {
  for (const place of usualPlaces(HOME, "/opt/npm")) {
    const found = detectClaudePath({
      searchPath: "/a",
      home: HOME,
      npmPrefix: "/opt/npm",
      isExecutable: executables(place).isExecutable,
    });
    assert.deepEqual(found, { path: place });
  }
});

Deno.test("detectClaudePath() takes the earliest usual place when several exist", () => {
  const fake = executables("/opt/npm/bin/claude", "/usr/local/bin/claude", "/home/ada/.claude/local/claude");
  const found = detectClaudePath({ home: HOME, npmPrefix: "/opt/npm", isExecutable: fake.isExecutable });
  assert.deepEqual(found, { path: "/home/ada/.claude/local/claude" });
});

Deno.test("detectClaudePath() treats an empty CLAUDE_PATH as unset", () => {
  const found = detectClaudePath({
    configured: "",
    searchPath: "/usr/bin",
    isExecutable: executables("/usr/bin/claude").isExecutable,
  });
  assert.deepEqual(found, { path: "/usr/bin/claude" });
});

Deno.test("detectClaudePath() says how to install the CLI when nothing is found", () => {
  const found = detectClaudePath({
    searchPath: "/a:/b",
    home: HOME,
    npmPrefix: "/opt/npm",
    isExecutable: executables().isExecutable,
  });
  assert.equal(found.path, null);
  assert.ok(found.error!.includes("npm install -g @anthropic-ai/claude-code"), found.error);
  assert.ok(found.error!.includes("CLAUDE_PATH"), found.error);
});

Deno.test("detectClaudePath() works without PATH or home", () => {
  const found = detectClaudePath({ isExecutable: executables("/usr/local/bin/claude").isExecutable });
  assert.deepEqual(found, { path: "/usr/local/bin/claude" });
});
