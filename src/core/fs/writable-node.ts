/**
 * The merged tree's nodes as the layer applier builds them: writable while
 * their layer is applied, shared read-only once it is done.
 */
import type { FileNode } from './file-node';

/**
 * Per-layer bookkeeping lives on the nodes under symbol keys, which structured
 * clone and JSON leave out: OWNER is the id of the applier that may still
 * mutate the node (it copied or made it), WRITER the id of the applier whose
 * layer wrote the node or a descendant. Stamps beat Sets here: a 300k-member
 * layer would otherwise pay 600k Set insertions.
 */
export const OWNER = Symbol('owner');
export const WRITER = Symbol('writer');

/** The builder's writable view of a node (nodes are shared read-only once a layer is done). */
export type Node = { -readonly [K in Exclude<keyof FileNode, 'children'>]: FileNode[K] } & {
  children: Map<string, Node> | undefined;
  [OWNER]: number;
  [WRITER]: number;
};

export function newNode(name: string, path: string, isDir: boolean, layer: number, owner: number): Node {
  return {
    name,
    path,
    type: 'dir',
    size: 0,
    mode: 0o755,
    uid: 0,
    gid: 0,
    mtime: 0,
    // Present (if undefined) on every node, so that all nodes share one shape.
    extras: undefined,
    linkTarget: null,
    layer,
    entryIndex: -1,
    contentLayer: -1,
    contentOffset: -1,
    children: isDir ? new Map() : undefined,
    [OWNER]: owner,
    [WRITER]: 0,
  };
}

/** A root directory with nothing in it (before the first layer). */
export function emptyRoot(): Node {
  return newNode('', '/', true, -1, 0);
}
