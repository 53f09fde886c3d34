// files.json (docs/contracts.md) built independently of the app, from what GNU tar
// says about each layer (`tar -tv --numeric-owner`), with the OCI whiteout
// rules applied in plain JavaScript (image-spec layer.md "Whiteouts"): the
// reference the explorer's "Download file list" is compared with.
import { execFileSync } from 'node:child_process';

const TYPES = { '-': 'file', d: 'dir', l: 'symlink', h: 'hardlink', c: 'char', b: 'block', p: 'fifo' };

/** `-rwsr-xr-x` → 0o4755. */
export function modeBits(text) {
  let mode = 0;
  for (let i = 0; i < 9; i++) if (text[1 + i] !== '-' && text[1 + i] !== 'S' && text[1 + i] !== 'T') mode |= 1 << (8 - i);
  if (/[sS]/.test(text[3])) mode |= 0o4000;
  if (/[sS]/.test(text[6])) mode |= 0o2000;
  if (/[tT]/.test(text[9])) mode |= 0o1000;
  return mode;
}

const clean = (path) => `/${path.replace(/^\.\//, '').replace(/^\/+/, '').replace(/\/+$/, '')}`;

/** Members of a layer tar (compressed or not; `tar` detects the compression) read from `bytes`. */
export function listLayer(bytes) {
  const text = execFileSync('tar', ['-tv', '--numeric-owner', '--full-time', '-f', '-'], { input: bytes, encoding: 'utf8', maxBuffer: 1 << 28 });
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => {
      const match = /^(\S{10})\s+(\d+)\/(\d+)\s+(\S+)\s+\S+\s+\S+\s+(.*)$/.exec(line);
      if (!match) throw new Error(`unparsed tar -tv line: ${line}`);
      const [, modeText, uid, gid, size, rest] = match;
      const type = TYPES[modeText[0]];
      let name = rest;
      let linkTarget = null;
      if (type === 'symlink') [name, linkTarget] = rest.split(' -> ');
      if (type === 'hardlink') {
        [name, linkTarget] = rest.split(' link to ');
        linkTarget = clean(linkTarget);
      }
      return {
        path: clean(name),
        type,
        size: type === 'file' ? Number(size) : 0,
        mode: modeBits(modeText),
        uid: Number(uid),
        gid: Number(gid),
        linkTarget,
      };
    });
}

const baseName = (path) => path.slice(path.lastIndexOf('/') + 1);
const dirName = (path) => path.slice(0, path.lastIndexOf('/')) || '/';
const under = (path, directory) => path.startsWith(directory === '/' ? '/' : `${directory}/`);

function removeTree(state, path, belowLayer) {
  for (const key of [...state.keys()]) {
    if ((key === path || under(key, path)) && state.get(key).layer < belowLayer) state.delete(key);
  }
}

const byPath = (a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : a.type < b.type ? -1 : 1);

function withHardLinkSizes(entries, state) {
  return entries.map((entry) =>
    entry.type === 'hardlink' ? { ...entry, size: state.get(entry.linkTarget)?.size ?? 0 } : entry,
  );
}

/** files.json entries for `view` (`merged` | `changes`) of layer `n`, from each layer's member list. */
export function expectedFileList(layers, view, n) {
  const state = new Map();
  let changes = [];
  for (const [index, members] of layers.slice(0, n + 1).entries()) {
    changes = [];
    // Whiteouts hide what lower layers hold (image-spec layer.md), then the layer's own members apply.
    for (const member of members) {
      const name = baseName(member.path);
      if (name === '.wh..wh..opq') {
        const directory = dirName(member.path);
        for (const key of [...state.keys()]) if (under(key, directory) && state.get(key).layer < index) state.delete(key);
        changes.push({ ...member, path: directory, type: 'opaque', size: 0, linkTarget: null, layer: index });
      } else if (name.startsWith('.wh.')) {
        const removed = `${dirName(member.path)}/${name.slice(4)}`.replace(/^\/\//, '/');
        removeTree(state, removed, index);
        changes.push({ ...member, path: removed, type: 'whiteout', size: 0, linkTarget: null, layer: index });
      }
    }
    for (const member of members) {
      if (baseName(member.path).startsWith('.wh.') || member.path === '/') continue;
      const previous = state.get(member.path);
      if (previous && previous.type === 'dir' && member.type !== 'dir') {
        for (const key of [...state.keys()]) if (under(key, member.path)) state.delete(key);
      }
      const entry = { ...member, layer: index };
      state.set(member.path, entry);
      changes.push(entry);
    }
  }
  const entries = view === 'merged' ? [...state.values()] : changes;
  return withHardLinkSizes(entries, state).sort(byPath);
}
