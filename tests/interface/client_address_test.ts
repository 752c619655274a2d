import assert from "node:assert/strict";
import { createClientAddress } from "../../interface/client_address.ts";

function from(peer: string, forwardedFor?: string): [Request, unknown] {
  const headers: Record<string, string> = forwardedFor === undefined
    ? {}
    : { "X-Forwarded-For": forwardedFor };
  return [new Request("http://gateway/", { headers }), { remoteAddr: { hostname: peer } }];
}

Deno.test("without trusted proxies the peer is the client, whatever X-Forwarded-For says", () => {
  const address = createClientAddress({ trustedProxies: null });
  assert.equal(address(...from("198.51.100.7", "1.2.3.4")), "198.51.100.7");
});

Deno.test("from a trusted proxy the client is the rightmost hop that is not a trusted proxy", () => {
  const address = createClientAddress({ trustedProxies: ["127.0.0.1", "10.0.0.0/8", "fd00::/8"] });
  assert.equal(address(...from("127.0.0.1", "203.0.113.5")), "203.0.113.5");
  // The client wrote the leftmost hop itself: it proves nothing.
  assert.equal(address(...from("127.0.0.1", "6.6.6.6, 203.0.113.5, 10.1.1.1")), "203.0.113.5");
  assert.equal(address(...from("::1", "203.0.113.5")), "0:0:0:0::/64");
  assert.equal(address(...from("fd00::2", "203.0.113.5")), "203.0.113.5");
});

Deno.test("an untrusted peer's X-Forwarded-For is ignored", () => {
  const address = createClientAddress({ trustedProxies: ["10.0.0.0/8"] });
  assert.equal(address(...from("203.0.113.5", "10.0.0.9")), "203.0.113.5");
});

Deno.test("a trusted proxy without X-Forwarded-For, or with only trusted hops, is the client", () => {
  const address = createClientAddress({ trustedProxies: ["10.0.0.0/8"] });
  assert.equal(address(...from("10.0.0.1")), "10.0.0.1");
  assert.equal(address(...from("10.0.0.1", "10.0.0.2, 10.0.0.3")), "10.0.0.2");
});

Deno.test("a hop that is not an address stops the walk at the last good hop", () => {
  const address = createClientAddress({ trustedProxies: ["10.0.0.0/8"] });
  assert.equal(address(...from("10.0.0.1", "203.0.113.5, garbage")), "10.0.0.1");
});

Deno.test("IPv6 clients are keyed by their /64, IPv4-mapped ones by their IPv4 address", () => {
  const address = createClientAddress({ trustedProxies: ["10.0.0.1"] });
  assert.equal(address(...from("2001:db8:0:1::5")), "2001:db8:0:1::/64");
  assert.equal(address(...from("10.0.0.1", "2001:db8:0:1:ffff::5")), "2001:db8:0:1::/64");
  assert.equal(address(...from("::ffff:198.51.100.7")), "198.51.100.7");
});

Deno.test("no peer address is 'unknown'", () => {
  const address = createClientAddress({ trustedProxies: null });
  assert.equal(address(new Request("http://gateway/"), {}), "unknown");
});

Deno.test("a trusted proxy that is not an address or network is refused", () => {
  assert.throws(() => createClientAddress({ trustedProxies: ["10.0.0.0/40"] }), TypeError);
});
