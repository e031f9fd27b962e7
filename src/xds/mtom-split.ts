// Where the parts of a multipart/related body begin and end, found while the body arrives: each
// chunk is searched once for the delimiter (plus the delimiter's length carried over from the
// chunk before), so that no turn of the event loop searches more than a chunk. Searching a whole
// body at its end held the event loop ~350 ms for 60 MB of `-` (Buffer.indexOf for a pattern
// opening with `--` degenerates over a run of `-`), before the sender was known.
const CR = 0x0d;
const LF = 0x0a;
const DASH = 0x2d;

/** A multipart body as its reader kept it: the bytes, and where its parts are when it was split while it arrived. */
export interface ReceivedMultipart {
  body: Buffer;
  split?: MultipartSplit;
  /** refused while it arrived (the rest is dropped as it comes): the answer to give */
  refused?: Error;
}

export function isReceivedMultipart(v: unknown): v is ReceivedMultipart {
  return typeof v === 'object' && v !== null && Buffer.isBuffer((v as ReceivedMultipart).body);
}

/** Bytes of the body's start in which a delimiter line may name the boundary the header did not. */
export const BOUNDARY_SNIFF_BYTES = 300;

/** The boundary of the Content-Type, else (tolerated) that of a delimiter line opening the body. */
export function multipartBoundary(ct: { params: Record<string, string> }, head: Buffer): string | undefined {
  if (ct.params['boundary']) return ct.params['boundary'];
  const m = /^--([^\r\n]+?)[ \t]*\r?\n/.exec(head.subarray(0, BOUNDARY_SNIFF_BYTES).toString('latin1'));
  return m ? m[1]! : undefined;
}

/** What splitting found: each part's [start, end) in the body, and how the body ended. */
export interface MultipartSplit {
  /** start and end of each part's raw bytes (headers and body), in pairs */
  spans: number[];
  /** a delimiter was found at all */
  found: boolean;
  /** the closing delimiter (`--boundary--`) was reached */
  closed: boolean;
  /** one part more than the limit was delimited: the message is refused once the parts before it were read */
  tooManyParts: boolean;
}

/**
 * The delimiter search of RFC 2046 as this project always read it, fed with a body that grows: a
 * delimiter is `--boundary` followed by `--` (the close) or transport padding and a line end; a
 * part ends at the next `--boundary` that begins a line. Fed the whole body at once, it reads
 * exactly what it reads fed chunk by chunk (a decision waits until the bytes it reads are there).
 */
export class MultipartSplitter {
  private readonly delim: Buffer;
  private readonly maxParts: number;
  private readonly spans: number[] = [];
  /** where the next search starts */
  private from = 0;
  /** looking for any delimiter (`pos`), for the one ending the part from `partStart` (`end`), or done */
  private mode: 'pos' | 'end' | 'done' = 'pos';
  private partStart = 0;
  /** a delimiter found whose following bytes are not all there yet, -1 when none */
  private pending = -1;
  /** how far the transport padding after `pending` was already skipped */
  private paddingAt = -1;
  private found = false;
  private closed = false;
  private tooManyParts = false;

  constructor(boundary: string, maxParts: number) {
    this.delim = Buffer.from('--' + boundary, 'latin1');
    this.maxParts = maxParts;
  }

  /** Reads what `received` (the body so far, the same bytes at the same offsets each time) added. */
  feed(received: Buffer, final = false): void {
    const len = this.delim.length;
    for (;;) {
      if (this.pending >= 0 && !this.classify(received, final)) return;
      if (this.mode === 'done') return;
      const at = received.indexOf(this.delim, this.from);
      if (at < 0) {
        // an occurrence cut by the end of what arrived is found again from here
        this.from = Math.max(this.from, received.length - len + 1);
        return;
      }
      if (this.mode === 'pos') {
        this.found = true;
        this.pending = at;
        continue;
      }
      // the next delimiter must begin a line
      if (at > 0 && received[at - 1] === LF) {
        let end = at - 1;
        if (end > this.partStart && received[end - 1] === CR) end--;
        if (this.spans.length / 2 >= this.maxParts) {
          this.tooManyParts = true;
          this.mode = 'done';
          return;
        }
        this.spans.push(this.partStart, Math.max(this.partStart, end));
        this.pending = at;
        continue;
      }
      this.from = at + len;
    }
  }

  /**
   * The part the body stopped in (its index and the offset of its first byte), while its end has
   * not arrived; undefined between parts and once the message is closed.
   */
  openPart(): { index: number; start: number } | undefined {
    return this.mode === 'end' && this.pending < 0 ? { index: this.spans.length / 2, start: this.partStart } : undefined;
  }

  /** The split of the whole body, `body` being all that was fed. */
  end(body: Buffer): MultipartSplit {
    this.feed(body, true);
    return { spans: this.spans, found: this.found, closed: this.closed, tooManyParts: this.tooManyParts };
  }

  /** Decides what the delimiter at `pending` is; false while the bytes it needs have not arrived. */
  private classify(buf: Buffer, final: boolean): boolean {
    const after = this.pending + this.delim.length;
    if (!final && after + 1 >= buf.length) return false;
    if (buf[after] === DASH && buf[after + 1] === DASH) {
      this.closed = true;
      this.mode = 'done';
      this.pending = -1;
      return true;
    }
    // transport padding (spaces/tabs) is allowed after a boundary
    let i = Math.max(after, this.paddingAt);
    while (i < buf.length && (buf[i] === 0x20 || buf[i] === 0x09)) i++;
    if (!final && i + 1 >= buf.length) {
      this.paddingAt = i;
      return false;
    }
    const start = buf[i] === CR && buf[i + 1] === LF ? i + 2 : buf[i] === LF ? i + 1 : -1;
    this.pending = -1;
    this.paddingAt = -1;
    if (start < 0) {
      // the boundary text appeared inside a line: not a delimiter, look further
      this.mode = 'pos';
      this.from = after;
    } else {
      this.mode = 'end';
      this.partStart = start;
      this.from = start;
    }
    return true;
  }
}
