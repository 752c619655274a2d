import { type Cidr, cidrContains, type IpBytes, parseCidr, parseIp, throttleKey } from "./ip_address.ts";

/** Options of {@link createClientAddress}. */
export interface ClientAddressOptions {
  /** Addresses and networks (`TRUSTED_PROXIES`) whose `X-Forwarded-For` is believed; null: none. */
  trustedProxies: string[] | null;
}

/** The peer address `main.ts` passes to `app.fetch` in its env, if any. */
function peerAddress(env: unknown): string | undefined {
  const remote = typeof env === "object" && env !== null && "remoteAddr" in env ? env.remoteAddr : undefined;
  const hostname = typeof remote === "object" && remote !== null && "hostname" in remote
    ? remote.hostname
    : undefined;
  return typeof hostname === "string" ? hostname : undefined;
}

/**
 * How the app tells clients apart (for the login throttle and its log): the peer's address, or, when the
 * peer is a trusted proxy, the rightmost `X-Forwarded-For` hop that is not a trusted proxy (hops further
 * left were written by the client itself and prove nothing). IPv6 clients are keyed by their /64.
 * @returns `(request, env) => key`; "unknown" when there is no usable address
 */
export function createClientAddress(
  options: ClientAddressOptions,
): (request: Request, env: unknown) => string {
  const trusted: Cidr[] = (options.trustedProxies ?? []).map((text) => {
    const network = parseCidr(text);
    if (!network) throw new TypeError(`not an address or network: ${JSON.stringify(text)}`);
    return network;
  });
  const isTrusted = (address: IpBytes) => trusted.some((network) => cidrContains(network, address));
  return (request, env) => {
    const peerText = peerAddress(env);
    const peer = peerText === undefined ? null : parseIp(peerText);
    if (!peer) return peerText ?? "unknown";
    if (!isTrusted(peer)) return throttleKey(peer);
    const hops = (request.headers.get("X-Forwarded-For") ?? "").split(",").map((hop) => hop.trim())
      .filter((hop) => hop !== "");
    let client = peer;
    for (const hop of hops.reverse()) {
      const address = parseIp(hop);
      // A hop that is not an address cannot be trusted further: the last good one is the client.
      if (!address) break;
      client = address;
      if (!isTrusted(address)) break;
    }
    return throttleKey(client);
  };
}
