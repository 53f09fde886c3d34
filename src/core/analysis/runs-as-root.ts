/**
 * Whether containers of the image start as root: the config's `User`
 * (image-spec config.md: `user`, `uid`, `user:group` or `uid:gid`; empty
 * means root) and, for a user name, its uid in the image's own /etc/passwd,
 * as the runtime resolves it.
 */
import { resolvePath, type FileNode } from '../fs/file-node';
import type { ConfigFile } from '../types';
import type { Finding } from './finding';
import type { ReadLayerBytes } from './rootfs';
import { decodeText } from './text';

/** /etc/passwd is read up to this size: real ones are a few kB. */
const PASSWD_LIMIT = 1024 * 1024;

/** The uid of `name` in the image's /etc/passwd, or null when the file or the name is missing. */
async function uidOf(name: string, root: FileNode, read: ReadLayerBytes): Promise<number | null> {
  const found = resolvePath(root, '/etc/passwd');
  if (!found.ok || found.node.contentLayer < 0) return null;
  const { contentLayer, contentOffset, size } = found.node;
  const text = decodeText(await read(contentLayer, contentOffset, Math.min(size, PASSWD_LIMIT)));
  for (const line of text.split('\n')) {
    const fields = line.split(':');
    if (fields.length >= 3 && fields[0] === name && /^\d+$/.test(fields[2])) return Number(fields[2]);
  }
  return null;
}

function finding(message: string): Finding {
  return { id: 'runs-as-root', severity: 'medium', path: null, layer: null, message };
}

/** A `runs-as-root` finding when the image's processes start as uid 0, else null. */
export async function checkRunsAsRoot(config: ConfigFile | null, root: FileNode, read: ReadLayerBytes): Promise<Finding | null> {
  const user = (config?.config?.User ?? '').trim();
  if (user === '') return finding('The image runs as root: its config sets no User');
  const name = user.split(':')[0];
  if (name === '' || name === 'root' || /^0+$/.test(name)) return finding(`The image runs as root: its config's User is "${user}"`);
  if (/^\d+$/.test(name)) return null;
  const uid = await uidOf(name, root, read);
  if (uid === 0) return finding(`The image runs as root: its config's User "${user}" is uid 0 in the image's /etc/passwd`);
  return null;
}
