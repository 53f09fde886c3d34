/**
 * The Config view's documents: the selected image's own (config, then
 * manifest) first, then every other JSON document of the source.
 */
import type { DocumentModel, ImageModel, SourceModel } from '../core/image/model';

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
