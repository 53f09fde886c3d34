"""Writes bench/out/inside-1g.tar: an OCI archive of two uncompressed layers,
the debootstrap Debian rootfs of the test fixtures (real dpkg database, 696
ELF files) and a layer of 100,000 files (real ELF files copied from this
machine's /usr, the rest deterministic filler) that brings the image to
about 1 GB. Usage: python3 generate.py DEBIAN_ROOTFS_TAR OUT_TAR"""
import hashlib, io, json, os, random, sys, tarfile

MTIME = 1735689600
FILES = 100_000
TARGET = 1_000_000_000
ELF_MAX = 2 * 1024 * 1024


def real_elves(limit):
    found = []
    for top in ('/usr/lib/x86_64-linux-gnu', '/usr/bin', '/usr/sbin', '/usr/libexec', '/usr/lib'):
        for directory, _, names in os.walk(top):
            for name in sorted(names):
                path = os.path.join(directory, name)
                try:
                    if os.path.islink(path) or not os.path.isfile(path) or os.path.getsize(path) > ELF_MAX:
                        continue
                    with open(path, 'rb') as handle:
                        if handle.read(4) != b'\x7fELF':
                            continue
                except OSError:
                    continue
                found.append(path)
                if len(found) >= limit:
                    return found
    return found


def write_layer(path, base_size):
    rng = random.Random(1)
    elves = real_elves(5000)
    filler_count = FILES - len(elves)
    elf_bytes = sum(os.path.getsize(p) for p in elves)
    filler_average = max(512, (TARGET - base_size - elf_bytes) // filler_count)
    block = bytes(rng.getrandbits(8) for _ in range(1 << 16))
    with tarfile.open(path, 'w', format=tarfile.GNU_FORMAT) as tar:
        def add(name, data, mode=0o644):
            info = tarfile.TarInfo(name)
            info.size, info.mtime, info.mode = len(data), MTIME, mode
            tar.addfile(info, io.BytesIO(data))
        for index, source in enumerate(elves):
            with open(source, 'rb') as handle:
                add(f'opt/bench/elf/{index // 500:02d}/{os.path.basename(source)}', handle.read(), 0o755)
        for index in range(filler_count):
            size = rng.randint(filler_average // 4, filler_average * 7 // 4)
            start = rng.randrange(0, len(block))
            data = (block[start:] + block * (size // len(block) + 1))[:size]
            add(f'srv/data/{index // 1000:03d}/file-{index:06d}.bin', data)
    return len(elves)


def sha256_file(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b''):
            digest.update(chunk)
    return digest.hexdigest()


def main(debian_tar, out):
    work = out + '.work'
    os.makedirs(os.path.join(work, 'blobs', 'sha256'), exist_ok=True)
    layer1 = os.path.join(work, 'layer1.tar')
    elves = write_layer(layer1, os.path.getsize(debian_tar))
    layers = []
    for source in (debian_tar, layer1):
        hexdigest = sha256_file(source)
        target = os.path.join(work, 'blobs', 'sha256', hexdigest)
        if source == layer1:
            os.replace(source, target)
        elif not os.path.exists(target):
            os.link(source, target) if os.stat(source).st_dev == os.stat(work).st_dev else __import__('shutil').copyfile(source, target)
        layers.append({'mediaType': 'application/vnd.oci.image.layer.v1.tar', 'digest': f'sha256:{hexdigest}', 'size': os.path.getsize(target)})

    def blob(document):
        data = json.dumps(document, separators=(',', ':')).encode()
        hexdigest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(work, 'blobs', 'sha256', hexdigest), 'wb') as handle:
            handle.write(data)
        return hexdigest, len(data)

    config = {'architecture': 'amd64', 'os': 'linux', 'rootfs': {'type': 'layers', 'diff_ids': [l['digest'] for l in layers]},
              'history': [{'created_by': 'debootstrap --variant=minbase bookworm'}, {'created_by': f'{FILES} files, {elves} of them ELF'}]}
    config_hex, config_size = blob(config)
    manifest = {'schemaVersion': 2, 'mediaType': 'application/vnd.oci.image.manifest.v1+json',
                'config': {'mediaType': 'application/vnd.oci.image.config.v1+json', 'digest': f'sha256:{config_hex}', 'size': config_size}, 'layers': layers}
    manifest_hex, manifest_size = blob(manifest)
    with open(os.path.join(work, 'index.json'), 'w') as handle:
        json.dump({'schemaVersion': 2, 'manifests': [{'mediaType': 'application/vnd.oci.image.manifest.v1+json', 'digest': f'sha256:{manifest_hex}', 'size': manifest_size}]}, handle)
    with open(os.path.join(work, 'oci-layout'), 'w') as handle:
        json.dump({'imageLayoutVersion': '1.0.0'}, handle)
    with tarfile.open(out + '.part', 'w') as tar:
        for name in ('blobs', 'index.json', 'oci-layout'):
            tar.add(os.path.join(work, name), name)
    os.replace(out + '.part', out)
    __import__('shutil').rmtree(work)
    print(json.dumps({'files': FILES, 'elves': elves, 'bytes': os.path.getsize(out)}))


main(sys.argv[1], sys.argv[2])
