/**
 * Runs `fn` with a fresh temporary directory, removed afterwards.
 * @param prefix the directory name's prefix, naming the test file
 */
export function withTempDir(prefix: string, fn: (dir: string) => void): void {
  const dir = Deno.makeTempDirSync({ prefix });
  try {
    fn(dir);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
}
