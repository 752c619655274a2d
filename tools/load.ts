/**
 * `deno task load [chats=200] [lines=1000]`: a bounded load run on loopback (see `testkit/load_run.ts`);
 * prints its figures and fails when a chat failed or a CLI was left behind.
 */
import { runLoad } from "../testkit/load_run.ts";

if (import.meta.main) {
  const chats = Number(Deno.args[0] ?? 200);
  const lines = Number(Deno.args[1] ?? 1000);
  const report = await runLoad(chats, lines);
  const running = report.metrics.match(/^claudecode2api_chats_running (\d+)/m)?.[1];
  console.log(`chats                 ${report.chats} x ${report.linesPerChat} lines`);
  console.log(`failed chats          ${report.failures.length}`);
  for (const failure of report.failures.slice(0, 10)) console.log(`  ${failure}`);
  console.log(`wall time             ${(report.wallMs / 1000).toFixed(2)} s`);
  console.log(`lines/s               ${Math.round(report.linesPerSecond)}`);
  console.log(`server idle RSS       ${report.idleRssMb.toFixed(1)} MB`);
  console.log(`server peak RSS       ${report.peakRssMb.toFixed(1)} MB`);
  console.log(`server fds            ${report.fdsBefore} before, ${report.fdsAfter} after`);
  console.log(`leftover CLIs         ${report.leftoverProcesses}`);
  console.log(`chats still running   ${running}`);
  if (report.failures.length > 0 || report.leftoverProcesses > 0) Deno.exit(1);
}
