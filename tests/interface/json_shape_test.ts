import assert from "node:assert/strict";
import { JsonShapeScanner } from "../../interface/json_shape.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

/** Scans `parts` in order with the given limits; the first problem found, or null. */
function scan(parts: string[], maxDepth = 3, maxValues = 100) {
  const scanner = new JsonShapeScanner({ maxDepth, maxValues });
  for (const part of parts) {
    const problem = scanner.push(bytes(part));
    if (problem !== null) return problem;
  }
  return null;
}

Deno.test("JsonShapeScanner lets JSON within its depth through, the body itself being depth 1", () => {
  assert.equal(scan(['{"a":{"b":[1,2]}}']), null);
});

Deno.test("JsonShapeScanner names the top-level field that nests too deep", () => {
  assert.deepEqual(scan(['{"prompt":"x","json_schema":{"a":[[1]]}}']), {
    field: "json_schema",
    message: "nests deeper than 3 levels",
  });
});

Deno.test("JsonShapeScanner does not count brackets, commas or escaped quotes inside strings", () => {
  assert.equal(scan([String.raw`{"prompt":"[[[{{{ \" ,,,,, ]]]","cwd":"/"}`], 2, 3), null);
});

Deno.test("JsonShapeScanner follows strings, escapes and field names across chunk boundaries", () => {
  const problem = scan(['{"pro', 'mpt":"a\\', '"[[[", "set', 'tings":{"a":', "{}}}"], 2);
  assert.deepEqual(problem, { field: "settings", message: "nests deeper than 2 levels" });
});

Deno.test("JsonShapeScanner counts array items and object entries across the whole body", () => {
  assert.equal(scan(['{"a":[1,2,3],"b":{"c":1}}'], 3, 6), null);
  assert.deepEqual(scan(['{"a":[1,2,3],"tools":["x","y","z"]}'], 3, 6), {
    field: "tools",
    message: "holds more than 6 values in all",
  });
});

Deno.test("JsonShapeScanner reads a long string full of escapes in one pass and still finds what follows", () => {
  const escapes = "\\n".repeat(500_000);
  const problem = scan([`{"prompt":"${escapes}`, `${escapes}\\"","deep":[[[1]]]}`]);
  assert.deepEqual(problem, { field: "deep", message: "nests deeper than 3 levels" });
});
