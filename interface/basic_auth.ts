import type { MiddlewareHandler } from "hono";
import type { AuthThrottle } from "./auth_throttle.ts";
import { HttpError } from "./error_response.ts";

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** Compares equal-length digests (of any two strings) in time that does not depend on where they differ. */
function digestsEqual(x: Uint8Array, y: Uint8Array): boolean {
  let difference = 0;
  for (let i = 0; i < x.length; i++) difference |= x[i] ^ y[i];
  return difference === 0;
}

function decodeBasic(header: string | undefined): { user: string; password: string } | null {
  const match = header?.match(/^Basic\s+([A-Za-z0-9+/=]+)\s*$/i);
  if (!match) return null;
  let decoded: string;
  try {
    decoded = new TextDecoder("utf-8", { fatal: true }).decode(
      Uint8Array.from(atob(match[1]), (char) => char.charCodeAt(0)),
    );
  } catch {
    return null;
  }
  const colon = decoded.indexOf(":");
  if (colon === -1) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Options of {@link basicAuth}. */
export interface BasicAuthOptions {
  user: string;
  password: string;
  throttle: AuthThrottle;
  /** The client's address, for throttling. */
  clientAddress: (request: Request, env: unknown) => string;
  /** Told of every refused login (for the log). */
  onFailure?: (address: string, reason: "throttled" | "wrong credentials") => void;
}

/**
 * Basic Auth middleware: both user and password are compared in constant time, and an address with too
 * many recent failures gets 429 without its credentials being checked.
 */
export function basicAuth(options: BasicAuthOptions): MiddlewareHandler {
  const { user, password, throttle, clientAddress, onFailure } = options;
  // The configured credentials are hashed once, not on every request.
  const expected = Promise.all([digest(user), digest(password)]);
  const challenge = { "WWW-Authenticate": 'Basic realm="claudecode2api", charset="UTF-8"' };
  return async (c, next) => {
    const address = clientAddress(c.req.raw, c.env);
    refuseIfThrottled(address, throttle, onFailure);
    const given = decodeBasic(c.req.header("Authorization"));
    if (given === null) {
      throw new HttpError(401, "unauthorized", "Basic Auth credentials are required", undefined, challenge);
    }
    const [expectedUser, expectedPassword] = await expected;
    const [givenUser, givenPassword] = await Promise.all([digest(given.user), digest(given.password)]);
    // Both are always compared, so the time does not tell which one was wrong.
    const userOk = digestsEqual(givenUser, expectedUser);
    const passwordOk = digestsEqual(givenPassword, expectedPassword);
    if (!userOk || !passwordOk) {
      throttle.recordFailure(address);
      onFailure?.(address, "wrong credentials");
      throw new HttpError(401, "unauthorized", "wrong user or password", undefined, challenge);
    }
    await next();
  };
}

/**
 * Refuses a request from an address that failed to log in too often (429 with `Retry-After`), whatever
 * credentials it brings now.
 * @param address the client's address
 * @param throttle the failures counted per address
 * @param onFailure told of the refusal
 * @throws {HttpError} 429 `too_many_auth_failures` while the address waits
 */
export function refuseIfThrottled(
  address: string,
  throttle: AuthThrottle,
  onFailure?: (address: string, reason: "throttled") => void,
): void {
  const wait = throttle.retryAfterS(address);
  if (wait <= 0) return;
  onFailure?.(address, "throttled");
  throw new HttpError(
    429,
    "too_many_auth_failures",
    `too many failed logins; retry in ${wait} s`,
    undefined,
    {
      "Retry-After": String(wait),
    },
  );
}
