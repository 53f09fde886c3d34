/**
 * What the analyses of an image's contents (OS, packages, binaries, findings,
 * efficiency) read: the merged tree at one layer, every layer's members, and
 * a way to read bytes of a layer's uncompressed tar. In the browser the bytes
 * come from the kept layers (or a re-read of the blob) in the filesystem
 * worker; in Node tests and the command line, from files. Analyses read only
 * what they need (ELF headers, package databases), never whole layers.
 */
import type { FileNode } from '../fs/file-node';
import type { TarEntry } from '../types';

/** Reads `length` bytes at `offset` of layer `layer`'s uncompressed tar (fewer at its end). */
export type ReadLayerBytes = (layer: number, offset: number, length: number) => Promise<Uint8Array>;

/** The merged filesystem of an image at one layer, and access to the bytes behind it. */
export interface Rootfs {
  /** The merged tree after layer `layer`. */
  readonly root: FileNode;
  /** The layer the tree is after (0-based). */
  readonly layer: number;
  /** Every layer's members in tar order, as the tree was built from them. */
  readonly layers: readonly (readonly TarEntry[])[];
  readonly read: ReadLayerBytes;
}
