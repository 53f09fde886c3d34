/**
 * Seeds for the tar and codec fuzz targets: small tars written by GNU tar,
 * bsdtar, Python's tarfile and busybox tar of a tree with every member kind;
 * the hand-made tars of the field tests (test/unit/core/tar/field-cases.ts);
 * gzip, pigz, multi-member gzip and zstd copies made by those tools; and one
 * input built here: a 1 MiB global pax header followed by 1000 members,
 * which every member once paid for (quadratic time).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { concatBytes, END, member, paxHeader, paxRecord } from '../helpers/craft-tar';
import { FIELD_CASES } from '../unit/core/tar/field-cases';

const TREE = String.raw`
set -euo pipefail
mkdir -p tree/dir/sub && cd tree
echo hello > dir/hello.txt && ln dir/hello.txt hard && ln -s dir/hello.txt sym
ln -s "$(printf 'x%.0s' $(seq 120))" long-target
echo long > "dir/sub/$(printf 'n%.0s' $(seq 110))"
printf 'l' > "$(printf 'caf\351')"
mkfifo fifo && mknod null c 1 3
echo s > suid && chmod 4755 suid
echo b > big && chown 4000000:4000001 big
echo x > attrs && python3 -c "import os; os.setxattr('attrs', 'user.a', b'\x00\xff')"
python3 -c "
f = open('holes', 'wb')
for i in range(6): f.seek(i * 4000); f.write(b'y' * 100)
f.truncate(24000)"
find . -exec touch -h -d '2024-01-02 03:04:05 UTC' {} + && touch -d '1960-01-01 UTC' big
cd ..
tar --format=gnu --sparse -C tree -cf gnu.tar .
tar --format=posix --sparse --xattrs -C tree -cf posix.tar .
tar --format=posix --sparse --sparse-version=0.1 -C tree -cf posix-sparse01.tar holes dir
tar --format=ustar -C tree -cf ustar.tar dir hard sym fifo null suid 2>/dev/null || true
tar --format=v7 -C tree -cf v7.tar dir hard sym suid 2>/dev/null || true
tar --format=pax --pax-option=globexthdr.name=g,comment=global -C tree -cf global.tar dir sym
bsdtar --format pax -C tree -cf bsd-pax.tar .
bsdtar --format gnutar -C tree -cf bsd-gnutar.tar .
python3 -c "
import tarfile
for fmt, out in [(tarfile.PAX_FORMAT, 'python-pax.tar'), (tarfile.GNU_FORMAT, 'python-gnu.tar')]:
    with tarfile.open(out, 'w', format=fmt) as tar: tar.add('tree', arcname='.')"
(cd tree && busybox tar -cf ../busybox.tar .)
gzip -9nc posix.tar > posix.tar.gz
pigz -c gnu.tar > gnu.tar.gz
{ head -c 3001 bsd-pax.tar | gzip -nc; tail -c +3002 bsd-pax.tar | gzip -1nc; } > multi.tar.gz
printf '' | gzip -nc > empty.gz
gzip -Nc tree/dir/hello.txt > named.gz
zstd -q -1 -c gnu.tar > gnu.tar.zst
zstd -q -19 --no-check -c posix.tar > posix.tar.zst
cat bsd-pax.tar | zstd -q --long=27 -c > long.tar.zst
{ zstd -q -c ustar.tar; printf '\x50\x2a\x4d\x18\x02\x00\x00\x00ab'; zstd -q -c v7.tar; } > frames.tar.zst
`;

/** Seeds of each kind, by file ending. */
export interface SeedSet {
  tars: Uint8Array[];
  gzip: Uint8Array[];
  zstd: Uint8Array[];
}

let cached: SeedSet | null = null;

/** Makes (once per test file) the seeds from real tools. */
export function toolSeeds(): SeedSet {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'tarsier-fuzz-seeds-'));
  try {
    execFileSync('bash', ['-c', TREE], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    const read = (suffix: string): Uint8Array[] =>
      readdirSync(dir)
        .filter((name) => name.endsWith(suffix))
        .sort()
        .map((name) => new Uint8Array(readFileSync(join(dir, name))));
    cached = { tars: read('.tar'), gzip: read('.gz'), zstd: read('.zst') };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The hand-made tars of the field tests. */
export function craftedTars(): Uint8Array[] {
  return FIELD_CASES.map((testCase) => testCase.bytes);
}

/** A global pax header of 1 MiB (records and a long comment), then 1000 empty members. */
export function bigGlobalHeader(): Uint8Array {
  const records: Uint8Array[] = [];
  let size = 0;
  for (let i = 0; size < 900 * 1024; i += 1) {
    const record = paxRecord(`LIBARCHIVE.note${i}`, 'v'.repeat(40));
    records.push(record);
    size += record.length;
  }
  records.push(paxRecord('comment', 'c'.repeat(1024 * 1024 - 600 - size)), paxRecord('uid', '7'));
  const members = Array.from({ length: 1000 }, (_, i) => member({ name: `m${i}` }));
  return concatBytes(paxHeader(concatBytes(...records), 'g'), ...members, END);
}
