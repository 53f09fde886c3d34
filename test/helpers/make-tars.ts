/**
 * Builds real tars with GNU tar for the tar and blob-inspector tests, into a
 * fresh temporary folder: one tree with every member type, long names and
 * link targets, whiteouts, setuid bits and a non-ASCII name, archived in the
 * GNU, PAX, ustar and v7 formats, plus a big-uid variant (base-256 in GNU
 * format, PAX records in PAX format).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Name of a 150-character file (needs a GNU `L` record or a PAX `path`). */
export const LONG_NAME = `long/${'n'.repeat(150)}`;
/** A 128-character name that ustar stores split into `prefix` and `name`. */
export const PREFIXED_NAME = `deep/${'d'.repeat(60)}/${'f'.repeat(62)}`;
/** A 120-character symlink target (needs a GNU `K` record or a PAX `linkpath`). */
export const LONG_TARGET = `../${'t'.repeat(117)}`;

const TREE_SCRIPT = `
set -euo pipefail
mkdir -p root/dir/sub root/long root/opq root/short/d "$(dirname "root/${PREFIXED_NAME}")"
printf 'p' > "root/${PREFIXED_NAME}"
printf 'hello\\n' > root/hello.txt
: > root/empty
python3 -c "
import random
random.seed(7)
open('root/exact512', 'wb').write(random.randbytes(512))
open('root/big', 'wb').write(random.randbytes(1000000))"
ln -s ../hello.txt root/dir/link
ln root/hello.txt root/dir/hard
mkfifo root/fifo
mknod root/null-dev c 1 3
printf 'x' > "root/${LONG_NAME}"
ln -s "${LONG_TARGET}" root/long/far-link
: > root/.wh.gone
: > root/opq/.wh..wh..opq
printf 'u' > root/ünïcode.txt
printf 's' > root/setuid && chmod 4755 root/setuid
chmod 0644 root/hello.txt
printf 'v7' > root/short/a && ln -s a root/short/b
mkdir -p sparse
python3 -c "
f = open('sparse/holes', 'wb')
for i in range(10):
    f.seek(i * 100000); f.write(b'x' * 1000)
f.truncate(1200000)"
printf 'after' > sparse/z-after.txt
find root sparse -exec touch -h -d '2024-01-02 03:04:05 UTC' {} +
`;

/** Paths of the generated tars (and of the compressed copies made on demand). */
export interface GeneratedTars {
  dir: string;
  gnu: string;
  pax: string;
  ustar: string;
  v7: string;
  bigUidGnu: string;
  bigUidPax: string;
  /** PAX with a global (`g`) header and SCHILY.xattr records on every member. */
  paxGlobal: string;
  /** Absolute and `..` names (GNU tar -P). */
  unsafe: string;
  /** A sparse file with 10 data regions, then a small file: old GNU (`S` + extension blocks) and PAX 0.0/1.0. */
  sparseGnu: string;
  sparsePax00: string;
  sparsePax10: string;
}

/** Runs a bash script in `cwd`, returning stdout. */
export function sh(script: string, cwd: string): string {
  return execFileSync('bash', ['-c', script], { cwd, maxBuffer: 1 << 30 }).toString();
}

/** Number of lines `tar -t` prints for an archive (its member count). */
export function tarListCount(path: string): number {
  return Number(sh(`tar -tf '${path}' | wc -l`, '/'));
}

/** Creates the tree and archives it every way. */
export function makeTars(): GeneratedTars {
  const dir = mkdtempSync(join(tmpdir(), 'tarsier-tar-'));
  sh(TREE_SCRIPT, dir);
  const tar = (name: string, options: string, what = '.'): string => {
    sh(`tar ${options} -C root -cf ${name} ${what}`, dir);
    return join(dir, name);
  };
  const tars: GeneratedTars = {
    dir,
    gnu: tar('gnu.tar', '--format=gnu'),
    pax: tar('pax.tar', '--format=pax'),
    ustar: tar('ustar.tar', '--format=ustar', 'dir hello.txt big short deep'),
    v7: tar('v7.tar', '--format=v7', 'short hello.txt'),
    bigUidGnu: tar('big-uid-gnu.tar', '--format=gnu --owner=x:4000000 --group=y:4000001'),
    bigUidPax: tar('big-uid-pax.tar', '--format=pax --owner=x:4000000 --group=y:4000001'),
    paxGlobal: tar(
      'pax-global.tar',
      "--format=pax --pax-option=comment=made-by-tests --pax-option='SCHILY.xattr.user.note:=hi there'",
    ),
    unsafe: join(dir, 'unsafe.tar'),
    sparseGnu: join(dir, 'sparse-gnu.tar'),
    sparsePax00: join(dir, 'sparse-pax00.tar'),
    sparsePax10: join(dir, 'sparse-pax10.tar'),
  };
  sh(
    `tar --format=gnu --sparse -C sparse -cf sparse-gnu.tar holes z-after.txt
    tar --format=pax --sparse --sparse-version=0.0 -C sparse -cf sparse-pax00.tar holes z-after.txt
    tar --format=pax --sparse --sparse-version=1.0 -C sparse -cf sparse-pax10.tar holes z-after.txt`,
    dir,
  );
  sh(`cd root/dir && tar -P --format=gnu -cf ../../unsafe.tar ../hello.txt "$PWD/sub"`, dir);
  return tars;
}

/** Reads a generated file. */
export function bytesOf(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** Feeds `bytes` to `push` in pieces of `size` bytes. */
export function feed(bytes: Uint8Array, size: number, push: (chunk: Uint8Array) => void): void {
  for (let offset = 0; offset < bytes.length; offset += size)
    push(bytes.subarray(offset, offset + size));
}
