import assert from "node:assert/strict";
import { cidrContains, parseCidr, parseIp, throttleKey } from "../../interface/ip_address.ts";

function ip(text: string): Uint8Array {
  const bytes = parseIp(text);
  assert.ok(bytes, text);
  return bytes;
}

Deno.test("parseIp() reads IPv4, IPv6 (compressed, bracketed, zoned, with an IPv4 tail) and nothing else", () => {
  assert.deepEqual([...ip("192.168.1.20")], [192, 168, 1, 20]);
  assert.deepEqual([...ip("::1")], [...new Array(15).fill(0), 1]);
  assert.deepEqual([...ip("[2001:db8::1]")], [0x20, 0x01, 0x0d, 0xb8, ...new Array(11).fill(0), 1]);
  assert.deepEqual(ip("fe80::1%eth0"), ip("fe80::1"));
  assert.deepEqual(ip("64:ff9b::10.0.0.1").slice(12), Uint8Array.from([10, 0, 0, 1]));
  assert.deepEqual(ip("1:2:3:4:5:6:7:8").length, 16);
  for (
    const bad of [
      "",
      "1.2.3",
      "1.2.3.256",
      "1.2.3.4.5",
      "::1::",
      "1:2:3:4:5:6:7:8:9",
      "g::1",
      "1:2:3:4:5:6:7",
    ]
  ) {
    assert.equal(parseIp(bad), null, bad);
  }
});

Deno.test("parseIp() reads an IPv4-mapped IPv6 address as the IPv4 address", () => {
  assert.deepEqual([...ip("::ffff:10.1.2.3")], [10, 1, 2, 3]);
  assert.deepEqual([...ip("::ffff:a01:203")], [10, 1, 2, 3]);
});

Deno.test("cidrContains() matches whole and partial bytes of the prefix, and never across families", () => {
  const net = (text: string) => {
    const cidr = parseCidr(text);
    assert.ok(cidr, text);
    return cidr;
  };
  assert.ok(cidrContains(net("10.0.0.0/8"), ip("10.200.3.4")));
  assert.ok(!cidrContains(net("10.0.0.0/8"), ip("11.0.0.1")));
  assert.ok(cidrContains(net("192.168.0.0/20"), ip("192.168.15.255")));
  assert.ok(!cidrContains(net("192.168.0.0/20"), ip("192.168.16.0")));
  assert.ok(cidrContains(net("127.0.0.1"), ip("127.0.0.1")));
  assert.ok(!cidrContains(net("127.0.0.1"), ip("127.0.0.2")));
  assert.ok(cidrContains(net("0.0.0.0/0"), ip("8.8.8.8")));
  assert.ok(cidrContains(net("2001:db8::/32"), ip("2001:db8:ffff::1")));
  assert.ok(!cidrContains(net("2001:db8::/32"), ip("2001:db9::1")));
  assert.ok(!cidrContains(net("::/0"), ip("1.2.3.4")));
  assert.ok(cidrContains(net("::ffff:10.0.0.0/104"), ip("10.9.9.9")));
  for (const bad of ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "::/129", "1.2.3.4/8/8", "nope/8"]) {
    assert.equal(parseCidr(bad), null, bad);
  }
});

Deno.test("throttleKey() keeps an IPv4 address and folds an IPv6 address into its /64", () => {
  assert.equal(throttleKey(ip("203.0.113.9")), "203.0.113.9");
  assert.equal(throttleKey(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
  assert.equal(throttleKey(ip("2001:db8:1:2:bbbb::9")), "2001:db8:1:2::/64");
  assert.notEqual(throttleKey(ip("2001:db8:1:3::1")), "2001:db8:1:2::/64");
});
