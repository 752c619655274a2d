import type { MiddlewareHandler } from "hono";
import { HttpError } from "./error_response.ts";
import { type JsonShapeLimits, JsonShapeScanner, type ShapeProblem } from "./json_shape.ts";

/**
 * The shape a body may have: nested at most 64 deep (the body itself is depth 1), at most 10,000 array items
 * and object entries in all. Beyond either it is a 422 before it is parsed, so no request costs the event
 * loop more than a bounded amount of parsing and validating.
 */
export const JSON_SHAPE_LIMITS: JsonShapeLimits = { maxDepth: 64, maxValues: 10_000 };

/** The JSON media types `@hono/zod-openapi` lets through to a JSON body (its own test, so the two agree). */
const JSON_CONTENT_TYPE = /^application\/([a-z-\.]+\+)?json(;\s*[a-zA-Z0-9\-]+\=([^;]+))*$/i;

function invalidJson(message: string): HttpError {
  return new HttpError(400, "invalid_json", message);
}

function badShape({ field, message }: ShapeProblem): HttpError {
  if (field === null) return new HttpError(422, "validation_error", `request body ${message}`);
  return new HttpError(422, "validation_error", `field "${field}" ${message}`, [{ field, message }]);
}

/**
 * Reads a request body as UTF-8 text, decoding chunk by chunk as it arrives (so the cost is spread out),
 * refusing more than `maxBytes` (by `Content-Length` at once, else while reading, so a chunked upload cannot
 * exceed it either) and JSON beyond {@link JSON_SHAPE_LIMITS} (while reading: the rest is not read).
 * @throws {HttpError} 413 when too large, 422 when nested too deep or holding too many values, 400 when it
 * is not UTF-8
 */
async function readText(request: Request, maxBytes: number): Promise<string> {
  const shape = new JsonShapeScanner(JSON_SHAPE_LIMITS);
  const tooLarge = () =>
    new HttpError(413, "payload_too_large", `request body is larger than ${maxBytes} bytes`);
  const declared = Number(request.headers.get("Content-Length") ?? "NaN");
  if (declared > maxBytes) throw tooLarge();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  const parts: string[] = [];
  let size = 0;
  // A decoding error is reported once the whole body is known not to be too large.
  let utf8 = true;
  const decode = (chunk?: Uint8Array) => {
    try {
      if (utf8) parts.push(chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode());
    } catch {
      utf8 = false;
    }
  };
  const reader = request.body?.getReader();
  for (let read = await reader?.read(); read && !read.done; read = await reader?.read()) {
    size += read.value.length;
    const problem = size > maxBytes ? null : shape.push(read.value);
    if (size > maxBytes || problem !== null) {
      await reader?.cancel().catch(() => {});
      throw problem === null ? tooLarge() : badShape(problem);
    }
    decode(read.value);
  }
  decode();
  if (!utf8) throw invalidJson("request body is not valid UTF-8");
  return parts.join("");
}

/**
 * Parses a body that must be one JSON object.
 * @throws {HttpError} 400 `invalid_json` when it is empty, not JSON or not an object
 */
function parseObject(text: string): object {
  if (text.trim() === "") throw invalidJson("request body is empty; expected a JSON object");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw invalidJson(`request body is not valid JSON: ${reason}`);
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw invalidJson("request body must be a JSON object");
  }
  return value;
}

function unsupported(contentType: string | undefined): HttpError {
  const given = contentType === undefined
    ? "Content-Type is missing"
    : `Content-Type "${contentType.split(";")[0].trim()}" is not supported`;
  return new HttpError(415, "unsupported_media_type", `${given}; send application/json`);
}

/**
 * Route middleware for a JSON object body: refuses a body that is not declared as JSON (415: a browser
 * form or a `no-cors` fetch cannot send `application/json`, so this also shuts out cross-site posts), one
 * larger than `maxBytes` (413) and one that is not a JSON object (400). It then hands the parsed object to
 * Hono's body cache, where the route's validator takes it instead of the spent stream: a body is parsed once.
 * @param maxBytes the largest body accepted
 * @param options `optional`: an empty body (none sent) counts as `{}`, whatever its Content-Type says
 * @throws {HttpError} 415, 413 or 400 as above
 */
export function jsonBody(maxBytes: number, options: { optional?: boolean } = {}): MiddlewareHandler {
  return async (c, next) => {
    const contentType = c.req.header("Content-Type");
    if (contentType !== undefined && !JSON_CONTENT_TYPE.test(contentType)) throw unsupported(contentType);
    // A body left out is told by its bytes, not its headers: over HTTP a POST without data (`curl -X POST`)
    // has neither Content-Type nor Content-Length, yet an empty body stream.
    const text = await readText(c.req.raw, maxBytes);
    const leftOut = options.optional === true && text === "";
    const body = leftOut ? {} : parseObject(text);
    if (contentType === undefined && !leftOut) throw unsupported(contentType);
    // Hono caches bodies as promises but types the cache by their values; `c.req.json()` reads `json`. The
    // validator of an optional body asks whether there is one by its bytes: none, for one left out.
    Object.assign(c.req.bodyCache, {
      json: Promise.resolve(body),
      ...(leftOut ? { arrayBuffer: Promise.resolve(new ArrayBuffer(0)) } : {}),
    });
    await next();
  };
}
