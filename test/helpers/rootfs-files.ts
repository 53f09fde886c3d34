/**
 * The regular files of an unpacked rootfs (as `umoci unpack` or `tar -x`
 * leave them), for checking analyses against what is really on disk.
 */
import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, type Stats } from 'node:fs';
import { join } from 'node:path';

export interface DiskFile {
  /** Absolute path inside the rootfs (`/etc/passwd`). */
  path: string;
  stat: Stats;
}

/** Every regular file under `root`, hard links each listed (they share `stat.ino`). */
export function regularFiles(root: string): DiskFile[] {
  const out: DiskFile[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const stat = lstatSync(full);
      if (stat.isDirectory()) walk(full, `${prefix}/${name}`);
      else if (stat.isFile()) out.push({ path: `${prefix}/${name}`, stat });
    }
  };
  walk(root, '');
  return out;
}

/** Bytes of the regular files under `root`, each inode once. */
export function rootfsBytes(root: string, files: DiskFile[] = regularFiles(root)): number {
  const seen = new Set<number>();
  let total = 0;
  for (const { stat } of files) {
    if (seen.has(stat.ino)) continue;
    seen.add(stat.ino);
    total += stat.size;
  }
  return total;
}

/** `sha256:<hex>` of a file, as `sha256sum` prints it. */
export function sha256File(path: string): string {
  return `sha256:${createHash('sha256').update(readFileSync(path)).digest('hex')}`;
}
