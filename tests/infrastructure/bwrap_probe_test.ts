import assert from "node:assert/strict";
import { probeBwrap } from "../../infrastructure/bwrap_probe.ts";
import { ConfigError } from "../../infrastructure/config.ts";

Deno.test("probeBwrap() without bwrap is one start-up line that says how to install it", () => {
  assert.throws(
    () => probeBwrap({ places: ["/nowhere/bwrap"], isExecutable: () => false }),
    (error: unknown) =>
      error instanceof ConfigError && !error.message.includes("\n") &&
      error.message.includes("SANDBOX=bwrap") && error.message.includes("apt-get install bubblewrap"),
  );
});

Deno.test("probeBwrap() reports a bwrap that cannot make a sandbox, in one line", () => {
  // `false` stands in for a bwrap that fails (as it does where namespaces are not allowed).
  assert.throws(
    () => probeBwrap({ places: ["/bin/false"], isExecutable: () => true }),
    (error: unknown) =>
      error instanceof ConfigError && !error.message.includes("\n") &&
      error.message.includes("/bin/false cannot make a sandbox here"),
  );
});

Deno.test("probeBwrap() returns the path of a bwrap that works on this machine", () => {
  const path = "/usr/bin/bwrap";
  if (Deno.env.get("CI") !== "true") {
    try {
      Deno.statSync(path);
    } catch {
      console.log("bubblewrap is not installed: skipped (CI installs it)");
      return;
    }
  }
  assert.equal(probeBwrap({ places: [path] }), path);
});
