import assert from "node:assert/strict";
import { generatePassword, PASSWORD_BYTES } from "../../infrastructure/generate_password.ts";

Deno.test("generatePassword() gives 192 random bits as 32 URL-safe base64 characters", () => {
  assert.equal(PASSWORD_BYTES * 8, 192);
  for (let i = 0; i < 200; i++) {
    const password = generatePassword();
    assert.match(password, /^[A-Za-z0-9_-]{32}$/, password);
    const bytes = Uint8Array.from(
      atob(password.replace(/-/g, "+").replace(/_/g, "/")),
      (c) => c.charCodeAt(0),
    );
    assert.equal(bytes.length, 24);
  }
});

Deno.test("generatePassword() gives a different password each time", () => {
  const passwords = new Set(Array.from({ length: 100 }, () => generatePassword()));
  assert.equal(passwords.size, 100);
});
