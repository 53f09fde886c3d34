/**
 * The sample image shipped with the app (public/sample-image.tar), fetched by
 * a relative URL so that it works from any sub-path, and wrapped in a File so
 * that it goes through exactly the same path as a dropped file.
 */

/** Name the sample has in the UI and in links. */
export const SAMPLE_FILE_NAME = 'sample-image.tar';

/** Fetches the sample image; rejects with a message naming the URL when it is not there. */
export async function fetchSample(): Promise<File> {
  const url = `./${SAMPLE_FILE_NAME}`;
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`Could not load the sample image (${url}): ${(error as Error).message}`, { cause: error });
  }
  // Single-page-app servers answer unknown paths with index.html: that is not the sample either.
  const type = response.headers.get('content-type') ?? '';
  if (!response.ok || type.startsWith('text/html')) {
    throw new Error(`Could not load the sample image (${url}): HTTP ${response.status} ${type}`.trim());
  }
  const blob = await response.blob();
  return new File([blob], SAMPLE_FILE_NAME, { type: 'application/x-tar' });
}
