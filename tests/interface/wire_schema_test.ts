import assert from "node:assert/strict";
import { z } from "@hono/zod-openapi";
import { wireSchema } from "../../interface/wire_schema.ts";

interface Sample {
  id: string;
  count?: number;
  state: "on" | "off" | null;
}

const exact = () =>
  z.object({ id: z.string(), count: z.number().optional(), state: z.enum(["on", "off"]).nullable() });

// Each `@ts-expect-error` below fails `deno check` if wireSchema stops refusing that drift.
Deno.test("wireSchema() accepts a schema of exactly its type and refuses any drift at compile time", () => {
  const schema = wireSchema<Sample>()(exact());
  assert.deepEqual(schema.parse({ id: "a", state: null }), { id: "a", state: null });
  // @ts-expect-error an optional field of the type is missing from the schema
  wireSchema<Sample>()(exact().omit({ count: true }));
  // @ts-expect-error the schema has a field the type lacks
  wireSchema<Sample>()(exact().extend({ extra: z.string() }));
  // @ts-expect-error the schema allows fewer values than the type
  wireSchema<Sample>()(exact().extend({ state: z.enum(["on"]).nullable() }));
  // @ts-expect-error the schema allows more values than the type
  wireSchema<Sample>()(exact().extend({ id: z.string().nullable() }));
});
