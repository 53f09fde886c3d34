import { describe, expect, it } from 'vitest';
import type { DocumentModel, ImageModel, SourceModel } from '../../../src/core/image/model';
import { lineParts, orderedDocuments } from '../../../src/state/documents';

const config = `sha256:${'c'.repeat(64)}`;
const manifest = `sha256:${'a'.repeat(64)}`;

function document(path: string, digest: string | null): DocumentModel {
  return { path, digest, mediaType: null, role: 'other', text: '{}' } as DocumentModel;
}

describe('the Config view', () => {
  it("lists the image's own config and manifest first, then the rest in source order", () => {
    const docs = [document('index.json', null), document(`blobs/sha256/${'a'.repeat(64)}`, manifest), document(`blobs/sha256/${'c'.repeat(64)}`, config)];
    const source = { documents: docs } as SourceModel;
    const image = { configPath: docs[2].path, manifestPath: docs[1].path } as ImageModel;
    expect(orderedDocuments(source, image).map((doc) => doc.path)).toEqual([docs[2].path, docs[1].path, 'index.json']);
    expect(orderedDocuments(source, null).map((doc) => doc.path)).toEqual(docs.map((doc) => doc.path));
  });

  it('marks the digests of a line that open a document, and only those', () => {
    const other = `sha256:${'e'.repeat(64)}`;
    const parts = lineParts(`  "digest": "${config}", "other": "${other}"`, new Set([config]));
    expect(parts.map((part) => part.text).join('')).toBe(`  "digest": "${config}", "other": "${other}"`);
    expect(parts.filter((part) => part.opens !== null).map((part) => part.opens)).toEqual([config]);
  });
});
