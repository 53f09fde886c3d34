/**
 * Reading registry response bodies with a bound: a registry (or anything
 * answering in its place) may send more than any real document needs, and
 * nothing it sends is read past the limit.
 */
import { InspectError, InspectErrorCode } from '../../core/errors';

/** The whole body, or a TooLarge error naming `path` once it passes `limit` bytes. */
export async function readLimited(response: Response, limit: number, what: string, path: string): Promise<Uint8Array> {
  const declared = Number(response.headers.get('Content-Length'));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel();
    throw new InspectError(InspectErrorCode.TooLarge, `${path}: the ${what} is ${declared} bytes; at most ${limit} are read.`, path);
  }
  const bytes = await readPrefix(response, limit + 1);
  if (bytes.length > limit) {
    throw new InspectError(InspectErrorCode.TooLarge, `${path}: the ${what} is over ${limit} bytes; stopped reading.`, path);
  }
  return bytes;
}

/** At most the first `limit` bytes of the body; the rest is never read. */
export async function readPrefix(response: Response, limit: number): Promise<Uint8Array> {
  if (!response.body) return new Uint8Array(await response.arrayBuffer()).subarray(0, limit);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body.getReader();
  while (total < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    const part = value.subarray(0, limit - total);
    chunks.push(part);
    total += part.length;
  }
  if (total >= limit) await reader.cancel().catch(() => undefined);
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
