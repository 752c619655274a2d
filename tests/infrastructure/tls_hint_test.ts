import assert from "node:assert/strict";
import { tlsHint } from "../../infrastructure/tls_hint.ts";

Deno.test("tlsHint() says nothing for loopback addresses", () => {
  for (const host of ["127.0.0.1", "127.1.2.3", "localhost", "::1", "[::1]"]) {
    assert.equal(tlsHint(host), undefined);
  }
});

Deno.test("tlsHint() points a server on every address to the README's TLS section", () => {
  for (const host of ["0.0.0.0", "::", "192.168.1.10"]) {
    assert.match(
      tlsHint(host) ?? "",
      new RegExp(`^HOST=${host.replaceAll(".", "\\.")} serves plain HTTP.*TLS`),
    );
  }
});
