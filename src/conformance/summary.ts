/** The last line every conformance runner prints: `N passed, N failed`. */
export function formatSummary(passed: number, failed: number): string {
  return `${passed} passed, ${failed} failed`;
}
