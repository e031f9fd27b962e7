// Builds parameterised SQL fragments: values always travel as $n parameters, never in the text.
// One exception, outside this class: ITI-18's ids statement writes a reader's allowed type codes
// (the access matrix's, never a request's; plain characters only) as a constant, for PostgreSQL's
// hashed test of a constant list (visibility-sql.ts typesConstant).

export class SqlParams {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
