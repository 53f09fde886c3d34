/**
 * The Config view's documents: the selected image's own (config, then
 * manifest) first, then every other JSON document of the source; their lines,
 * with the digests that open another document marked.
 */
import type { DocumentModel, ImageModel, SourceModel } from '../core/image/model';
import { prettyJsonLines, storedLines } from '../lib/pretty-json';

/** The source's documents, the image's own first. */
export function orderedDocuments(source: SourceModel, image: ImageModel | null): DocumentModel[] {
  const first = [image?.configPath, image?.manifestPath].filter((path): path is string => !!path);
  const own = first
    .map((path) => source.documents.find((document) => document.path === path))
    .filter((document): document is DocumentModel => !!document);
  return [...own, ...source.documents.filter((document) => !own.includes(document))];
}

/** The digests a link inside a document may open: those of the source's own documents. */
export function openableDigests(source: SourceModel): Set<string> {
  return new Set(source.documents.map((document) => document.digest).filter((digest): digest is string => !!digest));
}

/** A document's lines as shown: JSON re-indented, or the text as stored. */
export function documentLines(text: string, pretty: boolean): string[] {
  return pretty ? prettyJsonLines(text) : storedLines(text);
}

/** A piece of a shown line: text, or a digest that opens another document. */
export interface LinePart {
  text: string;
  /** Set when `text` is a digest of a document of the source. */
  opens: string | null;
}

const DIGEST = /(sha256:[0-9a-f]{64})/;

/** Splits a line around the digests it names, marking those that can be opened. */
export function lineParts(line: string, openable: ReadonlySet<string>): LinePart[] {
  return line.split(DIGEST).map((text, i) => ({ text, opens: i % 2 === 1 && openable.has(text) ? text : null }));
}
