/**
 * Small statistics over bench samples and stream reports.
 *
 * @module
 */

import type { StreamReport } from "../testkit/chat_stream.ts";

/**
 * The nearest-rank percentile of the samples that are numbers.
 * @param values samples (NaN ones are skipped)
 * @param p 0 to 100
 */
export function percentile(values: number[], p: number): number {
  const sorted = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

/**
 * The median of the samples that are numbers.
 * @param values samples
 */
export function median(values: number[]): number {
  return percentile(values, 50);
}

/**
 * What a set of streams lost, reordered and got wrong otherwise, summed.
 * @param reports one per stream
 */
export function checkStreams(
  reports: StreamReport[],
): { lost: number; reordered: number; problems: string[] } {
  return {
    lost: reports.reduce((sum, report) => sum + report.lost, 0),
    reordered: reports.reduce((sum, report) => sum + report.reordered, 0),
    problems: reports.flatMap((report) => report.problems),
  };
}

/**
 * The `message` events of the reports, summed.
 * @param reports one per stream
 */
export function messagesOf(reports: StreamReport[]): number {
  return reports.reduce((sum, report) => sum + report.messages, 0);
}
