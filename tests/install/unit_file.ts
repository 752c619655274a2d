import assert from "node:assert/strict";

/** A unit file as section -> list of [key, value] (comments dropped). */
export type UnitFile = Map<string, [string, string][]>;

/** Parses a unit file. */
export function parseUnit(text: string): UnitFile {
  const sections: UnitFile = new Map();
  let current = "";
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#") || line.startsWith(";")) continue;
    const m = line.match(/^\[(.+)\]$/);
    if (m) {
      current = m[1];
      sections.set(current, []);
      continue;
    }
    const eq = line.indexOf("=");
    assert.ok(eq > 0 && current, `bad unit line: ${line}`);
    sections.get(current)!.push([line.slice(0, eq), line.slice(eq + 1)]);
  }
  return sections;
}

/** Every value of `key` in `[section]`. */
export function values(unit: UnitFile, section: string, key: string): string[] {
  return (unit.get(section) ?? []).filter(([k]) => k === key).map(([, v]) => v);
}

/** The one value of `key` in `[section]`; asserts there is exactly one. */
export function one(unit: UnitFile, section: string, key: string): string {
  const v = values(unit, section, key);
  assert.equal(v.length, 1, `expected exactly one ${key}= in [${section}], got ${JSON.stringify(v)}`);
  return v[0];
}

/** Every value assigned to `key` in a .env text. */
export function envValue(envText: string, key: string): string[] {
  return envText.split("\n").filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1));
}
