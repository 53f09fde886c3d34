import { describe, expect, it } from 'vitest';
import { inputFromItems } from '../../../src/state/dropped-files';

const file = (name: string): File => new File([new Uint8Array([1, 2, 3])], name);

describe('inputFromItems', () => {
  it('opens one file as a file', () => {
    const one = file('image.tar');
    expect(inputFromItems({ kind: 'files', files: [one] })).toEqual({ kind: 'file', file: one });
  });
  it('opens several loose files as one folder keyed by their names', () => {
    const input = inputFromItems({ kind: 'files', files: [file('index.json'), file('oci-layout')] });
    expect(input?.kind).toBe('folder');
    if (input?.kind !== 'folder') return;
    expect(input.name).toBe('2 files');
    expect(input.files.map((f) => f.path)).toEqual(['index.json', 'oci-layout']);
  });
  it('passes a folder through and ignores an empty drop', () => {
    const files = [{ path: 'blobs/sha256/ab', file: file('ab') }];
    expect(inputFromItems({ kind: 'folder', name: 'layout', files })).toEqual({ kind: 'folder', name: 'layout', files });
    expect(inputFromItems({ kind: 'files', files: [] })).toBeNull();
  });
});
