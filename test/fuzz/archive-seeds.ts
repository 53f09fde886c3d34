/**
 * Small image archives for the dispatcher fuzz target, built in memory from
 * real blobs (a busybox-tar layer and the sample image's config, from
 * `npm run fixtures`) in each shape Tarsier reads: skopeo's docker-archive,
 * the pre-1.10 format, Docker 25+ (OCI layout plus manifest.json),
 * go-containerregistry's tarball, an OCI archive, a plain `./` layer, and
 * gzipped copies. Also the tar-aware mutators that edit them member by member.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { memoryTar, type MemoryMember } from '../helpers/memory-tar';
import type { Mutator, Random } from './engine';
import { jsonMutators } from './json-mutators';
import { fixtureBytes } from './source-seeds';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The archives, each as the list of its members (the mutators work on that form too). */
export function archiveMembers(): MemoryMember[][] {
  const layer = fixtureBytes('layer-dotslash-busybox.tar');
  const layerGz = new Uint8Array(gzipSync(layer, { level: 9 }));
  const config = JSON.parse(decoder.decode(fixtureBytes('doc-config.json'))) as { rootfs: { diff_ids: string[] } };
  config.rootfs.diff_ids = [`sha256:${hex(layer)}`];
  const configBytes = encoder.encode(JSON.stringify(config));
  const configHex = hex(configBytes);
  const manifest = encoder.encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: `sha256:${configHex}`, size: configBytes.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: `sha256:${hex(layerGz)}`, size: layerGz.length }],
    }),
  );
  const index = JSON.stringify({
    schemaVersion: 2,
    manifests: [
      {
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        digest: `sha256:${hex(manifest)}`,
        size: manifest.length,
        annotations: { 'org.opencontainers.image.ref.name': '1' },
      },
    ],
  });
  const ociLayout: MemoryMember[] = [
    { path: 'blobs', type: 'dir' },
    { path: `blobs/sha256/${hex(layerGz)}`, content: layerGz },
    { path: `blobs/sha256/${configHex}`, content: configBytes },
    { path: `blobs/sha256/${hex(manifest)}`, content: manifest },
    { path: 'index.json', content: index },
    { path: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' },
  ];
  const dockerManifest = (configPath: string, layers: string[]) =>
    JSON.stringify([{ Config: configPath, RepoTags: ['fuzz/app:1'], Layers: layers }]);
  const layerId = hex(encoder.encode('layer-id'));
  return [
    [
      { path: `${hex(layer)}.tar`, content: layer },
      { path: `${configHex}.json`, content: configBytes },
      { path: `${layerId}/layer.tar`, type: 'symlink', linkTarget: `../${hex(layer)}.tar` },
      { path: 'manifest.json', content: dockerManifest(`${configHex}.json`, [`${hex(layer)}.tar`]) },
      { path: 'repositories', content: JSON.stringify({ 'fuzz/app': { '1': layerId } }) },
    ],
    [
      { path: `${layerId}/json`, content: JSON.stringify({ id: layerId, os: 'linux', architecture: 'amd64' }) },
      { path: `${layerId}/layer.tar`, content: layer },
      { path: 'repositories', content: JSON.stringify({ 'fuzz/app': { '1': layerId } }) },
    ],
    [...ociLayout, { path: 'manifest.json', content: dockerManifest(`blobs/sha256/${configHex}`, [`blobs/sha256/${hex(layerGz)}`]) }],
    [
      { path: `sha256:${configHex}`, content: configBytes },
      { path: `${hex(layerGz)}.tar.gz`, content: layerGz },
      { path: 'manifest.json', content: dockerManifest(`sha256:${configHex}`, [`${hex(layerGz)}.tar.gz`]) },
    ],
    ociLayout.map((member) => ({ ...member, path: `./${member.path}` })),
  ];
}

/** Every seed: the archives, gzipped copies of two of them, and the plain layer. */
export function archiveSeeds(): Uint8Array[] {
  const tars = archiveMembers().map((members) => memoryTar(members));
  return [...tars, gzip(tars[0]), gzip(tars[3]), fixtureBytes('layer-dotslash-busybox.tar')];
}

function gzip(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(gzipSync(bytes));
}

/** Splits a ustar archive into members (regular files, dirs, symlinks); null when it is not one. */
function members(input: Uint8Array): MemoryMember[] | null {
  const out: MemoryMember[] = [];
  for (let offset = 0; offset + 512 <= input.length; ) {
    const header = input.subarray(offset, offset + 512);
    if (header.every((byte) => byte === 0)) break;
    if (decoder.decode(header.subarray(257, 262)) !== 'ustar') return null;
    const field = (from: number, length: number) => decoder.decode(header.subarray(from, from + length)).replace(/\0.*$/s, '');
    const size = Number.parseInt(field(124, 12).trim() || '0', 8);
    const flag = field(156, 1);
    if (!Number.isSafeInteger(size) || size < 0 || flag === 'x' || flag === 'g') return null;
    const prefix = field(345, 155);
    const name = prefix ? `${prefix}/${field(0, 100)}` : field(0, 100);
    const content = input.subarray(offset + 512, offset + 512 + size);
    if (flag === '5') out.push({ path: name.replace(/\/$/, ''), type: 'dir' });
    else if (flag === '2') out.push({ path: name, type: 'symlink', linkTarget: field(157, 100) });
    else out.push({ path: name, content: content.slice() });
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return out.length > 0 ? out : null;
}

/** Applies `edit` to the members of a tar input, and writes the tar again. */
function memberMutator(edit: (list: MemoryMember[], random: Random) => MemoryMember[] | null): Mutator {
  return (input, random) => {
    const list = members(input);
    if (list === null) return input;
    const edited = edit(list, random);
    if (edited === null) return input;
    try {
      return memoryTar(edited);
    } catch {
      return input;
    }
  };
}

const isJson = (member: MemoryMember): boolean => {
  const first = typeof member.content === 'string' ? member.content[0] : member.content?.[0];
  return first === '{' || first === '[' || first === 0x7b || first === 0x5b;
};

const names = ['manifest.json', 'repositories', 'index.json', 'oci-layout', 'blobs/sha256/x', './manifest.json', 'a/../manifest.json', `sha256:${'0'.repeat(64)}`];

/** Mutators that edit one member: its JSON, its name, its place, or its presence. */
export const archiveMutators: Mutator[] = [
  memberMutator((list, random) => {
    const documents = list.filter(isJson);
    if (documents.length === 0) return null;
    const document = random.pick(documents);
    const bytes = typeof document.content === 'string' ? encoder.encode(document.content) : (document.content ?? new Uint8Array());
    document.content = random.pick(jsonMutators)(bytes, random);
    return list;
  }),
  memberMutator((list, random) => {
    random.pick(list).path = random.pick([...names, random.pick(list).path]);
    return list;
  }),
  memberMutator((list, random) => {
    const [moved] = list.splice(random.below(list.length), 1);
    list.splice(random.below(list.length + 1), 0, moved);
    return list;
  }),
  memberMutator((list, random) => {
    list.splice(random.below(list.length), 1);
    return list;
  }),
  memberMutator((list, random) => {
    const member = random.pick(list);
    list.push({ path: random.pick(names), type: 'symlink', linkTarget: random.pick([member.path, '../'.repeat(50), '/etc/passwd', 'manifest.json']) });
    return list;
  }),
  (input) => (members(input) === null ? input : gzip(input)),
];
