// Whether bytes that come in slices are UTF-8, a character possibly cut between two slices: the
// same answer as `isUtf8` of node:buffer on the bytes joined, without joining them.

export async function isUtf8Slices(slices: AsyncIterable<Uint8Array>): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const s of slices) decoder.decode(s, { stream: true });
    decoder.decode();
    return true;
  } catch (e) {
    // by its code: a TypeError of another realm (a test's VM context) is no instance of this one's
    if ((e as { code?: unknown }).code === 'ERR_ENCODING_INVALID_ENCODED_DATA') return false;
    throw e;
  }
}
