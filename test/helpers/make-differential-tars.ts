/**
 * One tree with every member kind and every kind of metadata, archived by
 * every tar writer a layer may come from, for the differential tar test
 * (test/unit/core/tar/differential.test.ts). Made as root in a fresh
 * temporary folder (devices, owners, setuid bits and xattrs need it):
 *
 * - names and link targets over 100 and over 255 bytes, UTF-8, latin-1 (a
 *   byte that is not UTF-8) and a newline in a name;
 * - a hard link, short and long symlinks, a fifo, a char device, an empty
 *   file and directory;
 * - setuid, setgid, sticky and 0000 modes; uid 4,000,000 and gid
 *   3,000,000,000 (past ustar's octal and past 2^31);
 * - times before 1970, past 2038 and past 2300, and one with nanoseconds;
 * - user xattrs (one binary) and a sparse file of 2 MB with 5 data regions.
 *
 * Archived by GNU tar (v7, oldgnu, gnu, ustar, posix with --sparse
 * --xattrs), bsdtar (pax, ustar, gnutar, v7), Python's tarfile (pax, gnu)
 * and busybox tar. A format that cannot hold a member gets the subset it
 * can hold, as a user of that format would archive: v7 and ustar take no
 * long names, big ids, out-of-range times, (v7) devices or fifos.
 * Compressed copies: gzip, pigz, a multi-member gzip and zstd.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TREE_SCRIPT = String.raw`
set -euo pipefail
mkdir tree && cd tree
D=$(printf 'd%.0s' $(seq 90)); E=$(printf 'e%.0s' $(seq 90)); F=$(printf 'f%.0s' $(seq 90))
N120=$(printf 'n%.0s' $(seq 120)); M250=$(printf 'm%.0s' $(seq 250)); T150=$(printf 't%.0s' $(seq 150))
mkdir -p "deep/$D/$E/$F" empty-dir
echo 'over 255 bytes of path' > "deep/$D/$E/$F/$N120"
echo 'a 250-byte name' > "$M250"
echo 'a short path' > "deep/short.txt"
echo hello > hello.txt
ln hello.txt hard.txt
ln -s hello.txt sym
ln -s "../$T150" midsym
ln -s "../$M250/$N120/$N120" longsym
: > empty
printf 'utf-8\n' > 'ünïcödé.txt'
printf 'latin-1\n' > "$(printf 'caf\351')"
printf 'newline\n' > "$(printf 'new\nline')"
mkfifo fifo
mknod chr c 1 3
echo s > suid && chmod 4755 suid
mkdir sgid && chmod 2775 sgid
mkdir sticky && chmod 1777 sticky
echo z > zero && chmod 0000 zero
echo b > bigid && chown 4000000:3000000000 bigid
echo x > xattr
python3 -c "
import os
os.setxattr('xattr', 'user.note', b'hi there')
os.setxattr('xattr', 'user.bin', bytes([0, 255, 128, 10]))
f = open('sparse', 'wb')
for i in range(5):
    f.seek(i * 400000); f.write(bytes([65 + i]) * 700)
f.truncate(2000000)"
echo o > old && echo f > future && echo ff > far && echo fr > frac
find . -exec touch -h -d '2024-01-02 03:04:05 UTC' {} +
touch -d '1960-01-01 00:00:00 UTC' old
touch -d '2039-06-01 12:00:00 UTC' future
touch -d '2300-01-01 00:00:00 UTC' far
touch -d '2024-01-02 03:04:05.123456789 UTC' frac
`;

/**
 * Members each format can hold: NUL-separated lists of paths (relative to
 * the tree), for the writers that take a list.
 */
const SUBSET_SCRIPT = String.raw`
import os, sys
root = sys.argv[1]
def fits(path, v7):
    full = os.path.join(root, path)
    st = os.lstat(full)
    name = path.encode('utf-8', 'surrogateescape') + (b'/' if os.path.isdir(full) and not os.path.islink(full) else b'')
    if v7 and len(name) > 99: return False
    if not v7:
        # ustar: name of up to 100 bytes, or a prefix of up to 155 bytes split at a slash.
        if len(name) > 100 and not any(len(name[:i]) <= 155 and len(name[i+1:]) <= 100 for i in range(len(name)) if name[i:i+1] == b'/'):
            return False
    if os.path.islink(full) and len(os.readlink(full).encode('utf-8', 'surrogateescape')) > 99: return False
    if st.st_uid > 0o7777777 or st.st_gid > 0o7777777: return False
    if not 0 <= st.st_mtime < 8 ** 11: return False
    if v7 and not (os.path.isfile(full) or os.path.isdir(full) or os.path.islink(full)): return False
    if os.listxattr(full, follow_symlinks=False): return False
    return True
for v7, out in [(True, 'v7.list'), (False, 'ustar.list')]:
    paths = []
    for dirpath, dirs, files in os.walk(root):
        for name in dirs + files:
            path = os.path.relpath(os.path.join(dirpath, name), root)
            if fits(path, v7): paths.append(path)
    with open(out, 'wb') as f:
        f.write(b''.join(p.encode('utf-8', 'surrogateescape') + b'\0' for p in sorted(paths)))
`;

const PYTHON_TAR_SCRIPT = String.raw`
import os, sys, tarfile
root, out, fmt = sys.argv[1], sys.argv[2], sys.argv[3]
with tarfile.open(out, 'w', format=tarfile.PAX_FORMAT if fmt == 'pax' else tarfile.GNU_FORMAT, encoding='utf-8') as tar:
    for name in sorted(os.listdir(root)):
        tar.add(os.path.join(root, name), arcname=name)
`;

/** The archives made, by name (`gnu-posix.tar`, `bsd-pax.tar`, `gnu-posix.tar.gz`…), as paths. */
export interface DifferentialTars {
  dir: string;
  /** Uncompressed archives, by writer and format. */
  tars: Record<string, string>;
  /** Compressed copies of some of them: name → [path, the archive it was made from]. */
  compressed: Record<string, [string, string]>;
}

function sh(script: string, cwd: string): void {
  execFileSync('bash', ['-c', script], { cwd, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' } });
}

/** Builds the tree and every archive of it. */
export function makeDifferentialTars(): DifferentialTars {
  const dir = mkdtempSync(join(tmpdir(), 'tarsier-differential-'));
  sh(TREE_SCRIPT, dir);
  writeFileSync(join(dir, 'subset.py'), SUBSET_SCRIPT);
  writeFileSync(join(dir, 'python-tar.py'), PYTHON_TAR_SCRIPT);
  sh('python3 subset.py tree', dir);
  // Absolute paths: -C changes where later names are read, and tools differ on whether -f and -T follow it.
  const gnu = (format: string, options: string, list?: string): string =>
    list
      ? `tar --format=${format} ${options} -C tree --null --no-recursion -T "$PWD/${list}" -cf "$PWD/gnu-${format}.tar"`
      : `tar --format=${format} ${options} -C tree -cf "$PWD/gnu-${format}.tar" .`;
  const bsd = (format: string, list?: string): string =>
    list
      ? `bsdtar --format ${format} -C tree --null -n -T "$PWD/${list}" -cf "$PWD/bsd-${format}.tar"`
      : `bsdtar --format ${format} -C tree -cf "$PWD/bsd-${format}.tar" .`;
  sh(
    [
      'set -e',
      gnu('v7', '', 'v7.list'),
      gnu('ustar', '', 'ustar.list'),
      gnu('oldgnu', '--sparse'),
      gnu('gnu', '--sparse'),
      gnu('posix', '--sparse --xattrs --xattrs-include=*'),
      bsd('pax'),
      bsd('gnutar'),
      bsd('ustar', 'ustar.list'),
      bsd('v7', 'v7.list'),
      'python3 python-tar.py tree python-pax.tar pax',
      'python3 python-tar.py tree python-gnu.tar gnu',
      '(cd tree && busybox tar -cf ../busybox.tar .)',
    ].join('\n'),
    dir,
  );
  const names = ['gnu-v7', 'gnu-ustar', 'gnu-oldgnu', 'gnu-gnu', 'gnu-posix', 'bsd-pax', 'bsd-gnutar', 'bsd-ustar', 'bsd-v7', 'python-pax', 'python-gnu', 'busybox'];
  const tars = Object.fromEntries(names.map((name) => [name, join(dir, `${name}.tar`)]));
  sh(
    `set -e
    gzip -9nc gnu-posix.tar > gnu-posix.tar.gz
    pigz -c bsd-pax.tar > bsd-pax.tar.gz
    { head -c 700001 gnu-gnu.tar | gzip -nc; tail -c +700002 gnu-gnu.tar | pigz -1 -c; } > gnu-gnu.multi.tar.gz
    zstd -q -3 -c python-pax.tar > python-pax.tar.zst
    cat busybox.tar | zstd -q --long=27 -c > busybox.tar.zst`,
    dir,
  );
  const compressed: Record<string, [string, string]> = {
    'gnu-posix.tar.gz': [join(dir, 'gnu-posix.tar.gz'), tars['gnu-posix']],
    'bsd-pax.tar.gz (pigz)': [join(dir, 'bsd-pax.tar.gz'), tars['bsd-pax']],
    'gnu-gnu.multi.tar.gz (gzip + pigz members)': [join(dir, 'gnu-gnu.multi.tar.gz'), tars['gnu-gnu']],
    'python-pax.tar.zst': [join(dir, 'python-pax.tar.zst'), tars['python-pax']],
    'busybox.tar.zst (long window)': [join(dir, 'busybox.tar.zst'), tars.busybox],
  };
  return { dir, tars, compressed };
}
