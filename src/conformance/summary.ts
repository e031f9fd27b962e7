/**
 * The last line every conformance runner prints: `N passed, N failed`, then `, N skipped` when
 * something could not be evaluated (a skip is never counted as a pass), then `, N declared
 * deviations` when the server answered on purpose otherwise than the test expects (never a pass
 * either).
 */
export function formatSummary(passed: number, failed: number, skipped = 0, deviations = 0): string {
  return `${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}${deviations > 0 ? `, ${deviations} declared deviation${deviations > 1 ? 's' : ''}` : ''}`;
}

/** Recognises a line formatSummary wrote. */
export const SUMMARY_LINE = /^\d+ passed, \d+ failed(, \d+ skipped)?(, \d+ declared deviations?)?$/;
