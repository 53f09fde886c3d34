/**
 * Builds layers whose headers carry more than names and modes, for the tar
 * and tar-writer tests, into a fresh temporary folder (run as root: it
 * makes device nodes and sets `security.*` attributes):
 *
 * - `layer0`: GNU tar `--format=pax --xattrs --sort=name` of a tree with
 *   char and block devices (the largest numbers Linux allows, 12-bit major
 *   and 20-bit minor), a file with a binary `security.capability`, a binary
 *   (non-UTF-8) `user.` value, a UTF-8 one and names with `=` and `%`, hard
 *   links to it in `bin/` and `etc/`, and a file whose owner and group names
 *   are 40 and 33 bytes long (GNU tar `--owner-map`/`--group-map`);
 * - `layer1`: Python tarfile in GNU format, a char device with numbers too
 *   big for ustar's octal fields (written in base-256);
 * - `starDevices`: Python tarfile in pax format, a block device whose
 *   numbers come from star's `SCHILY.devmajor`/`SCHILY.devminor` records.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from './make-tars';

/** Owner name of `etc/owned` (40 bytes: needs a pax `uname` record). */
export const LONG_UNAME = `user-${'u'.repeat(35)}`;
/** Group name of `etc/owned` (33 bytes). */
export const LONG_GNAME = `group-${'g'.repeat(27)}`;
/** `bin/ping`'s `security.capability`: VFS_CAP_REVISION_2 with cap_net_raw permitted and effective. */
export const CAPABILITY = Buffer.from('0100000200200000000000000000000000000000', 'hex');
/** A `user.` value that is not UTF-8 (NUL, 0xff, a lone continuation byte). */
export const BINARY_VALUE = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0x61, 0x0a, 0x9f]);
/** Device numbers of `dev/huge` in layer1: beyond ustar's 7 octal digits (2,097,151). */
export const HUGE_DEVICE = { major: 5000, minor: 3_000_000 };

/** Paths of the generated tars. */
export interface MetadataTars {
  dir: string;
  layer0: string;
  layer1: string;
  starDevices: string;
  deviceLink: string;
}

const TREE_SCRIPT = `
set -euo pipefail
mkdir -p root/bin root/dev root/etc
mknod root/dev/tty-max c 4095 1048575
mknod root/dev/sda3 b 8 3
printf 'ping' > root/bin/ping
chmod 0755 root/bin/ping
python3 -c "
import os
os.setxattr('root/bin/ping', 'security.capability', bytes.fromhex('${CAPABILITY.toString('hex')}'))
os.setxattr('root/bin/ping', 'user.binary', bytes.fromhex('${BINARY_VALUE.toString('hex')}'))
os.setxattr('root/bin/ping', 'user.text', 'héllo wörld'.encode())
os.setxattr('root/bin/ping', 'user.a=b%c', b'escaped name')"
ln root/bin/ping root/bin/ping6
ln root/bin/ping root/etc/ping-link
printf 'owned\\n' > root/etc/owned
chown 1000:1000 root/etc/owned
echo '+1000 ${LONG_UNAME}:1000' > owners
echo '+1000 ${LONG_GNAME}:1000' > groups
touch -h -d @1735689600 root/bin/* root/dev/* root/etc/* root/*
`;

const HUGE_DEVICE_SCRIPT = `
import sys, tarfile
with tarfile.open(sys.argv[1], 'w', format=tarfile.GNU_FORMAT) as tar:
    info = tarfile.TarInfo('dev/huge')
    info.type, info.mode, info.mtime = tarfile.CHRTYPE, 0o620, 1735689600
    info.devmajor, info.devminor = ${HUGE_DEVICE.major}, ${HUGE_DEVICE.minor}
    info.uname, info.gname = 'root', 'tty'
    tar.addfile(info)
`;

/** A layer over layer0 with a hard link to its block device (GNU tar never links devices; the format allows it). */
const DEVICE_LINK_SCRIPT = `
import sys, tarfile
with tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT) as tar:
    link = tarfile.TarInfo('etc/disk-link')
    link.type, link.linkname, link.mode, link.mtime = tarfile.LNKTYPE, 'dev/sda3', 0o644, 1735689600
    tar.addfile(link)
`;

const STAR_DEVICE_SCRIPT = `
import sys, tarfile
with tarfile.open(sys.argv[1], 'w', format=tarfile.PAX_FORMAT) as tar:
    info = tarfile.TarInfo('dev/star')
    info.type, info.mode, info.devmajor, info.devminor = tarfile.BLKTYPE, 0o660, 1, 2
    info.pax_headers = {'SCHILY.devmajor': '70000', 'SCHILY.devminor': '9000000'}
    tar.addfile(info)
`;

/** Creates the tree and its layers. */
export function makeMetadataTars(): MetadataTars {
  const dir = mkdtempSync(join(tmpdir(), 'tarsier-meta-'));
  sh(TREE_SCRIPT, dir);
  sh(
    `tar --format=pax --xattrs --xattrs-include='*' --sort=name --owner-map=owners --group-map=groups -C root -cf layer0.tar bin dev etc`,
    dir,
  );
  execFileSync('python3', ['-c', HUGE_DEVICE_SCRIPT, join(dir, 'layer1.tar')]);
  execFileSync('python3', ['-c', STAR_DEVICE_SCRIPT, join(dir, 'star-devices.tar')]);
  execFileSync('python3', ['-c', DEVICE_LINK_SCRIPT, join(dir, 'device-link.tar')]);
  return {
    dir,
    layer0: join(dir, 'layer0.tar'),
    layer1: join(dir, 'layer1.tar'),
    starDevices: join(dir, 'star-devices.tar'),
    deviceLink: join(dir, 'device-link.tar'),
  };
}

/** One member as Python's tarfile reads it, attribute values in hex. */
export interface PythonMember {
  name: string;
  type: string;
  mode: number;
  uid: number;
  gid: number;
  uname: string;
  gname: string;
  mtime: number;
  linkname: string;
  size: number;
  /** Only on char and block devices. */
  device?: [number, number];
  /** Raw SCHILY.xattr.* pax records (keywords as stored), values in hex. */
  xattrs: Record<string, string>;
}

const VIEW_SCRIPT = `
import json, sys, tarfile
members = []
for m in tarfile.open(sys.argv[1]):
    entry = dict(name=m.name, type=m.type.decode(), mode=m.mode, uid=m.uid, gid=m.gid,
                 uname=m.uname, gname=m.gname, mtime=int(m.mtime), linkname=m.linkname, size=m.size,
                 xattrs={k: v.encode('utf-8', 'surrogateescape').hex()
                         for k, v in m.pax_headers.items() if k.startswith('SCHILY.xattr.')})
    if m.ischr() or m.isblk():
        entry['device'] = [m.devmajor, m.devminor]
    members.append(entry)
print(json.dumps(members))
`;

/** Python tarfile's view of every member of a tar (a second reader besides GNU tar). */
export function pythonView(path: string): PythonMember[] {
  return JSON.parse(execFileSync('python3', ['-c', VIEW_SCRIPT, path], { encoding: 'utf8' })) as PythonMember[];
}
