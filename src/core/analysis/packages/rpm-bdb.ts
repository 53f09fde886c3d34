/**
 * The values of a Berkeley DB hash database, as rpm before 4.16 kept its
 * `Packages` file (one value per package: its header). Read-only, from the
 * page layout of Berkeley DB 5.3 (dbinc/db_page.h: DBMETA/HMETA, PAGE,
 * H_KEYDATA and H_OFFPAGE items, overflow chains), the same subset that
 * rpm's own read-only backend (lib/backend/bdb_ro.c) reads.
 */
import { InspectError, InspectErrorCode } from '../../errors';

const HASH_MAGIC = 0x061561;
const PAGE_HEADER = 26;
const P_HASH_UNSORTED = 2;
const P_OVERFLOW = 7;
const P_HASH = 13;
const H_KEYDATA = 1;
const H_OFFPAGE = 3;
/** The most pages walked through one overflow chain, and bytes of one value. */
const MAX_CHAIN = 1 << 20;
const MAX_VALUE = 64 * 1024 * 1024;

function bad(message: string): InspectError {
  return new InspectError(InspectErrorCode.UnknownFormat, `Not a readable Berkeley DB hash file: ${message}`);
}

/** True when the bytes start like a Berkeley DB hash database (either byte order). */
export function isBerkeleyHash(bytes: Uint8Array): boolean {
  if (bytes.length < 16) return false;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return view.getUint32(12, true) === HASH_MAGIC || view.getUint32(12, false) === HASH_MAGIC;
}

/** Every value (data item) of the hash database, in page order. */
export function berkeleyHashValues(bytes: Uint8Array): Uint8Array[] {
  if (!isBerkeleyHash(bytes)) throw bad('no hash magic');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const little = view.getUint32(12, true) === HASH_MAGIC;
  const pageSize = view.getUint32(20, little);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) throw bad(`page size ${pageSize}`);
  if (view.getUint8(24) !== 0) throw bad('it is encrypted');
  const pages = Math.floor(bytes.length / pageSize);
  const page = (number: number): DataView => {
    if (number <= 0 || number >= pages) throw bad(`page ${number} is outside the file`);
    return new DataView(bytes.buffer, bytes.byteOffset + number * pageSize, pageSize);
  };
  const overflow = (first: number, length: number): Uint8Array => {
    if (length > MAX_VALUE) throw bad(`a ${length}-byte value`);
    const out = new Uint8Array(length);
    let filled = 0;
    let next = first;
    for (let hops = 0; next !== 0 && filled < length; hops += 1) {
      if (hops > MAX_CHAIN) throw bad('an overflow chain loops');
      const p = page(next);
      if (p.getUint8(25) !== P_OVERFLOW) throw bad(`page ${next} is not an overflow page`);
      const used = Math.min(p.getUint16(22, little), pageSize - PAGE_HEADER, length - filled);
      out.set(new Uint8Array(p.buffer, p.byteOffset + PAGE_HEADER, used), filled);
      filled += used;
      next = p.getUint32(16, little);
    }
    if (filled < length) throw bad('an overflow chain ends early');
    return out;
  };
  const values: Uint8Array[] = [];
  for (let number = 1; number < pages; number += 1) {
    const p = page(number);
    const type = p.getUint8(25);
    if (type !== P_HASH && type !== P_HASH_UNSORTED) continue;
    const entries = Math.min(p.getUint16(20, little), (pageSize - PAGE_HEADER) / 2);
    for (let i = 1; i < entries; i += 2) {
      const at = p.getUint16(PAGE_HEADER + i * 2, little);
      const end = p.getUint16(PAGE_HEADER + (i - 1) * 2, little);
      if (at < PAGE_HEADER || at >= pageSize) throw bad(`an item outside page ${number}`);
      const itemType = p.getUint8(at);
      if (itemType === H_OFFPAGE) {
        if (at + 12 > pageSize) throw bad(`an item outside page ${number}`);
        values.push(overflow(p.getUint32(at + 4, little), p.getUint32(at + 8, little)));
      } else if (itemType === H_KEYDATA) {
        // Items are packed from the page's end down: a data item ends where its key starts (LEN_HITEM).
        if (end <= at || end > pageSize) throw bad(`an item of page ${number} has a bad length`);
        values.push(new Uint8Array(p.buffer, p.byteOffset + at + 1, end - at - 1).slice());
      }
    }
  }
  return values;
}
