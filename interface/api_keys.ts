import type { MiddlewareHandler } from "hono";
import type { AuthThrottle } from "./auth_throttle.ts";
import { HttpError } from "./error_response.ts";
import { refuseIfThrottled } from "./basic_auth.ts";

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)));
}

/** The key a request presents: `x-api-key: …` or `Authorization: Bearer …`; undefined when it has none. */
function presentedKey(headers: Headers): string | undefined {
  const apiKey = headers.get("x-api-key");
  if (apiKey !== null) return apiKey.trim();
  return headers.get("Authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
}

/** Options of {@link apiKeyAuth}. */
export interface ApiKeyAuthOptions {
  /** The accepted keys (`API_KEYS`, `API_KEYS_FILE`); empty: none is. */
  keys: string[];
  /** What authenticates a request that presents no key: Basic Auth. */
  basic: MiddlewareHandler;
  throttle: AuthThrottle;
  clientAddress: (request: Request, env: unknown) => string;
  onFailure?: (address: string, reason: "throttled" | "wrong credentials") => void;
}

/**
 * Authenticates by API key (`Authorization: Bearer <key>` or `x-api-key: <key>`, as the OpenAI and Anthropic
 * client libraries send them) or else by Basic Auth. A presented key is compared with every accepted key in
 * time that depends on neither which key matched nor where a wrong one differs (their SHA-256 digests are
 * compared, all of them); wrong keys count as failed logins for the shared throttle.
 */
export function apiKeyAuth(options: ApiKeyAuthOptions): MiddlewareHandler {
  const { throttle, clientAddress, onFailure } = options;
  const expected = Promise.all(options.keys.map(digest));
  const challenge = { "WWW-Authenticate": 'Bearer realm="claudecode2api"' };
  return async (c, next) => {
    const key = presentedKey(c.req.raw.headers);
    if (key === undefined) return await options.basic(c, next);
    const address = clientAddress(c.req.raw, c.env);
    refuseIfThrottled(address, throttle, onFailure);
    const given = await digest(key);
    let matches = 0;
    for (const accepted of await expected) {
      let difference = 0;
      for (let i = 0; i < accepted.length; i++) difference |= accepted[i] ^ given[i];
      matches |= difference === 0 ? 1 : 0;
    }
    if (matches === 0) {
      throttle.recordFailure(address);
      onFailure?.(address, "wrong credentials");
      const message = options.keys.length === 0
        ? "API keys are not enabled on this server (API_KEYS); use Basic Auth"
        : "invalid API key";
      throw new HttpError(401, "invalid_api_key", message, undefined, challenge);
    }
    await next();
  };
}
