/**
 * Typed errors. Every problem Tarsier reports carries a stable `code` (for the
 * report and tests), a human message that names the file, and the path inside
 * the source it concerns. Modelled on fflate's `FlateErrorCode` and
 * go-containerregistry's `verify.Error` (want/got for digest mismatches).
 */

/** Stable error codes; they appear in report.json `errors[].code`. */
export const InspectErrorCode = {
  /** The file is empty. */
  EmptyFile: 'empty-file',
  /** Not a tar, gzip, zstd or JSON document we understand. */
  UnknownFormat: 'unknown-format',
  /** A tar header is malformed (bad checksum, bad number field). */
  BadTar: 'bad-tar',
  /** The data ends before a member or stream is complete. */
  Truncated: 'truncated',
  /** A JSON document does not parse or lacks required fields. */
  BadJson: 'bad-json',
  /** manifest.json / index.json / oci-layout is missing. */
  MissingMetadata: 'missing-metadata',
  /** A descriptor names a blob the source does not contain. */
  MissingBlob: 'missing-blob',
  /** Computed digest differs from the expected one. */
  DigestMismatch: 'digest-mismatch',
  /** The gzip or zstd stream is corrupt. */
  BadCompression: 'bad-compression',
  /**
   * Bytes follow the first gzip member. The platform's decoder
   * (DecompressionStream) stops there; `gzip -d` reads them as further
   * members, so a caller retries with a multi-member decoder.
   */
  GzipTrailingData: 'gzip-trailing-data',
  /** Output exceeded the configured bound (a decompression bomb). */
  TooLarge: 'too-large',
  /** A member name is absolute or climbs out with `..`. */
  UnsafePath: 'unsafe-path',
  /** A media type or document kind we list but cannot interpret. */
  Unsupported: 'unsupported',
  /** A registry request failed. */
  Registry: 'registry',
  /** The registry wants a login, or refused the username and password it was given. */
  Unauthorized: 'unauthorized',
  /** The network request failed (CORS, offline, refused). */
  Network: 'network',
  /** Image reference cannot be parsed. */
  BadReference: 'bad-reference',
  /** A rules file (`.dive-ci` form) or a rules link does not parse. */
  BadRules: 'bad-rules',
  /** The work was cancelled. */
  Aborted: 'aborted',
  /** A bug or an unexpected exception. */
  Internal: 'internal',
} as const;

export type InspectErrorCode = (typeof InspectErrorCode)[keyof typeof InspectErrorCode];

/** Plain, structured-clonable form of an error (report.json `errors[]`, worker DTOs). */
export interface InspectErrorInfo {
  code: InspectErrorCode;
  message: string;
  /** Path of the file or member concerned, or null for the source as a whole. */
  path: string | null;
}

/** An error with a code and the path it concerns. */
export class InspectError extends Error {
  readonly code: InspectErrorCode;
  readonly path: string | null;
  /** Expected value (digest mismatches). */
  readonly want?: string;
  /** Actual value (digest mismatches). */
  readonly got?: string;

  constructor(
    code: InspectErrorCode,
    message: string,
    path: string | null = null,
    detail: { want?: string; got?: string } = {},
  ) {
    super(message);
    this.name = 'InspectError';
    this.code = code;
    this.path = path;
    this.want = detail.want;
    this.got = detail.got;
  }

  toInfo(): InspectErrorInfo {
    return { code: this.code, message: this.message, path: this.path };
  }
}

/** True for the DOMException that signals cancellation; it is always rethrown untouched. */
export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { name?: unknown }).name === 'AbortError'
  );
}

/** Converts anything thrown into an InspectErrorInfo, naming `path` when the error does not. */
export function toErrorInfo(error: unknown, path: string | null = null): InspectErrorInfo {
  if (error instanceof InspectError) {
    return { code: error.code, message: error.message, path: error.path ?? path };
  }
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { code?: unknown }).code === 'string' &&
    typeof (error as { message?: unknown }).message === 'string' &&
    Object.values(InspectErrorCode).includes((error as { code: InspectErrorCode }).code)
  ) {
    const info = error as { code: InspectErrorCode; message: string; path?: string | null };
    return { code: info.code, message: info.message, path: info.path ?? path };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { code: InspectErrorCode.Internal, message, path };
}
