import assert from "node:assert/strict";
import { runLoad } from "../../testkit/load_run.ts";

Deno.test("50 concurrent chats of 1,000 lines: every client gets exactly its own lines, in order, and nothing leaks", async () => {
  const report = await runLoad(50, 1000);
  assert.deepEqual(report.failures, []);
  assert.equal(report.leftoverProcesses, 0);
  assert.ok(report.fdsAfter <= report.fdsBefore, `fds ${report.fdsBefore} before, ${report.fdsAfter} after`);
  assert.match(report.metrics, /^claudecode2api_chats_running 0$/m);
  assert.match(report.metrics, /^claudecode2api_chats_finished_total\{outcome="success"\} 50$/m);
  assert.match(report.metrics, /^claudecode2api_lines_streamed_total 50100$/m);
  console.log(`load: ${(report.wallMs / 1000).toFixed(2)} s, peak RSS ${report.peakRssMb.toFixed(1)} MB`);
});
