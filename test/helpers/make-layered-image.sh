#!/bin/bash
# Builds an OCI image whose layers exercise every merge rule, with real tools:
# layers 0-1 by `umoci repack` (umoci writes the whiteouts), layer 2 crafted
# with Python's tarfile (opaque marker, hard link into a lower layer, implicit
# parents, a member under a symlinked directory, one path twice), layer 3 by
# GNU tar (a whiteout made as an ordinary `.wh.` file). `umoci unpack` of the
# final image is the reference rootfs. Usage: make-layered-image.sh OUTDIR
set -euo pipefail
umask 022
out=$1
rm -rf "$out" && mkdir -p "$out" && cd "$out"
umoci init --layout L >/dev/null
umoci new --image L:t
umoci unpack --image L:t B >/dev/null
R=B/rootfs

# Layer 0: a base tree.
mkdir -p $R/etc $R/usr/bin $R/usr/lib/mods $R/var/cache/apt/archives $R/data/sub $R/opt $R/tmp
echo 'root:x:0:0' > $R/etc/passwd
echo old > $R/etc/old.conf
head -c 5000 /dev/urandom > $R/usr/bin/tool
chmod 4755 $R/usr/bin/tool
ln $R/usr/bin/tool $R/usr/bin/tool-alias
ln -s tool $R/usr/bin/tool-link
ln -s usr/lib $R/lib
echo a > $R/usr/lib/liba.so
echo m > $R/usr/lib/mods/m1
head -c 70000 /dev/urandom > $R/var/cache/apt/archives/pkg.deb
echo d > $R/data/sub/file
echo f > $R/opt/was-file
chmod 1777 $R/tmp
mkfifo $R/tmp/fifo
mknod $R/tmp/null c 1 3
chown 1000:1000 $R/data/sub/file
umoci repack --image L:t B >/dev/null
# A repack is relative to the image the bundle was unpacked from: unpack again.
rm -rf B && umoci unpack --image L:t B >/dev/null

# Layer 1: deletions and type changes, whiteouts written by umoci.
rm $R/etc/old.conf
rm -r $R/var/cache
rm -r $R/data && echo now-a-file > $R/data
rm $R/opt/was-file && mkdir $R/opt/was-file && echo inner > $R/opt/was-file/inner
echo new > $R/usr/bin/added
umoci repack --image L:t B >/dev/null

# Layer 2: crafted members.
python3 - <<'PY'
import io, tarfile, time
def add(t, name, kind=tarfile.REGTYPE, data=b'', mode=0o644, link='', uid=0, gid=0):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.mode = mode
    info.uid = uid
    info.gid = gid
    info.mtime = 1700000000
    info.linkname = link
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    t.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
with tarfile.open('layer2.tar', 'w', format=tarfile.PAX_FORMAT) as t:
    add(t, 'usr/lib/', tarfile.DIRTYPE, mode=0o750)
    add(t, 'usr/lib/.wh..wh..opq')
    add(t, 'usr/lib/libnew.so', data=b'new library\n')
    add(t, 'usr/bin/tool-hard', tarfile.LNKTYPE, link='usr/bin/tool')
    add(t, 'deep/implicit/parents/file', data=b'x' * 300, mode=0o600, uid=7, gid=8)
    add(t, 'lib/through-symlink.so', data=b'via lib symlink\n')
    add(t, 'etc/passwd', data=b'first\n')
    add(t, 'etc/passwd', data=b'second version wins\n', mode=0o640)
    add(t, 'opt/was-file', tarfile.REGTYPE, data=b'file again\n')
    add(t, 'usr/bin/.wh.tool')
    add(t, 'usr/bin/tool', data=b'replaced tool\n', mode=0o755)
    add(t, 'etc/' + 'long-name-' * 12, data=b'long\n')
PY
umoci raw add-layer --image L:t layer2.tar

# Layer 3: GNU tar; a whiteout is just a file named .wh.<name>.
mkdir -p S/usr/bin S/tmp
touch S/usr/bin/.wh.tool-link S/tmp/.wh.fifo
echo late > S/usr/bin/late
tar --numeric-owner --owner=0 --group=0 -C S -cf layer3.tar usr tmp
umoci raw add-layer --image L:t layer3.tar

umoci unpack --image L:t final >/dev/null
