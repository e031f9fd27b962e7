// Builds parameterised SQL fragments: values always travel as $n parameters, never in the text.
// One exception, outside this class: ITI-18's ids statement writes a reader's allowed type codes
// and excluded statuses (the access matrix's and the domain's, never a request's; plain characters
// only) as constants, which PostgreSQL tests far faster per row (visibility-sql.ts constantList).

export class SqlParams {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
