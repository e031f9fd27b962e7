/**
 * The last line every conformance runner prints: `N passed, N failed`, then `, N skipped` when
 * something could not be evaluated (a skip is never counted as a pass).
 */
export function formatSummary(passed: number, failed: number, skipped = 0): string {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`;
}

/** Recognises a line formatSummary wrote. */
export const SUMMARY_LINE = /^\d+ passed, \d+ failed(, \d+ skipped)?$/;
