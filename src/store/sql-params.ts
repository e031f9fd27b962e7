// Builds parameterised SQL fragments: values always travel as $n parameters, never in the text.
// The exceptions, outside this class: ITI-18's ids statement and the document page's statement
// (documentRowsSelect, its total and its relations column) write a reader's allowed type codes and
// excluded statuses (the access matrix's and the domain's, never a request's; plain characters
// only) and the relation types (the code's own) as constants, which PostgreSQL tests far faster
// per row and estimates from the table's statistics (visibility-sql.ts constantList); the page's
// statement writes its size as a whole number (document-stream.ts limitText); string search writes
// the pattern of the accents it drops, so that an index on the folded names serves it
// (string-search-sql.ts).

export class SqlParams {
  readonly values: unknown[] = [];

  /** Adds a value and returns its placeholder. */
  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}
