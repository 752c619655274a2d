import { join } from "node:path";

/** Every entry under dir: type, mode, mtime, and sha256 or link target. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  await walk(dir, "", out);
  return out;
}

async function walk(d: string, rel: string, out: Record<string, string>): Promise<void> {
  const names: string[] = [];
  for await (const e of Deno.readDir(d)) names.push(e.name);
  for (const name of names.sort()) {
    const path = join(d, name);
    const r = rel ? `${rel}/${name}` : name;
    const st = await Deno.lstat(path);
    const mode = ((st.mode ?? 0) & 0o7777).toString(8);
    if (st.isSymlink) {
      out[r] = `link -> ${await Deno.readLink(path)}`;
    } else if (st.isDirectory) {
      out[r] = `dir ${mode}`;
      await walk(path, r, out);
    } else {
      const sum = new Uint8Array(await crypto.subtle.digest("SHA-256", await Deno.readFile(path)));
      const hex = Array.from(sum, (b) => b.toString(16).padStart(2, "0")).join("");
      out[r] = `file ${mode} ${st.mtime?.getTime()} ${hex}`;
    }
  }
}
