/**
 * The link format of docs/contracts.md, "Links": `#/?key=value&…`. Parsing is lenient
 * (unknown keys are kept, invalid values dropped so their defaults apply);
 * formatting writes the keys in a fixed order and leaves `/ : @` unescaped so
 * that links stay readable (RFC 3986 §3.5 allows them in a fragment).
 */

/** The views a link can name. */
export const VIEWS = [
  'overview',
  'changes',
  'merged',
  'history',
  'config',
  'packages',
  'findings',
  'bytes',
  'compare',
] as const;

/** One of `VIEWS`. */
export type ViewName = (typeof VIEWS)[number];

/** What a hash names; every key is optional (absent = default). */
export interface RouteParams {
  /** Registry image reference, pinned by digest. */
  ref?: string;
  /** Name of the dropped file or folder. */
  file?: string;
  /** Size in bytes of the dropped file. */
  size?: number;
  /** Manifest digest, or config digest where the image has no manifest. */
  image?: string;
  /** `os/architecture[/variant]`. */
  platform?: string;
  /** 0-based layer index. */
  layer?: number;
  view?: ViewName;
  /** Absolute path inside the image. */
  path?: string;
  /** Line in the file viewer (1-based). */
  line?: number;
  /** The host of the Packages view's host check (src/core/analysis/binaries encodes it). */
  host?: string;
  /** Rules the image is judged by (src/core/analysis/rules encodes them). */
  rules?: string;
  /** The page's language (`en`, `zh-CN`). */
  lang?: string;
  /** Keys this version does not know, kept so that links from newer versions survive. */
  extra?: Record<string, string>;
}

const KEY_ORDER = ['ref', 'file', 'size', 'image', 'platform', 'layer', 'view', 'path', 'line', 'host', 'rules', 'lang'] as const;

function decodeComponent(text: string): string | null {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}

function encodeComponent(text: string): string {
  return encodeURIComponent(text).replace(/%2F/gi, '/').replace(/%3A/gi, ':').replace(/%40/gi, '@');
}

function parseCount(text: string, minimum: number): number | undefined {
  if (!/^\d{1,15}$/.test(text)) return undefined;
  const value = Number(text);
  return value >= minimum ? value : undefined;
}

/** Parses `location.hash` (with or without the leading `#`). */
export function parseRouteHash(hash: string): RouteParams {
  let text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (text.startsWith('/')) text = text.slice(1);
  if (text.startsWith('?')) text = text.slice(1);
  const params: RouteParams = {};
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const equals = pair.indexOf('=');
    const key = decodeComponent(equals < 0 ? pair : pair.slice(0, equals));
    const value = decodeComponent(equals < 0 ? '' : pair.slice(equals + 1));
    if (key === null || value === null || value === '') continue;
    switch (key) {
      case 'ref':
      case 'file':
      case 'image':
      case 'platform':
      case 'host':
      case 'rules':
      case 'lang':
        params[key] = value;
        break;
      case 'path':
        params.path = value.startsWith('/') ? value : `/${value}`;
        break;
      case 'size':
        params.size = parseCount(value, 0);
        break;
      case 'layer':
        params.layer = parseCount(value, 0);
        break;
      case 'line':
        params.line = parseCount(value, 1);
        break;
      case 'view':
        if ((VIEWS as readonly string[]).includes(value)) params.view = value as ViewName;
        break;
      default:
        params.extra = { ...params.extra, [key]: value };
    }
  }
  return withoutUndefined(params);
}

/** `params` without the keys whose value is undefined. */
export function withoutUndefined(params: RouteParams): RouteParams {
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined)) as RouteParams;
}

/** Formats params as `#/?key=value&…` (`#/` when empty). */
export function formatRouteHash(params: RouteParams): string {
  const parts: string[] = [];
  for (const key of KEY_ORDER) {
    const value = params[key];
    if (value === undefined || value === '') continue;
    parts.push(`${key}=${encodeComponent(String(value))}`);
  }
  for (const [key, value] of Object.entries(params.extra ?? {})) {
    parts.push(`${encodeComponent(key)}=${encodeComponent(value)}`);
  }
  return parts.length === 0 ? '#/' : `#/?${parts.join('&')}`;
}

/** True when both name the same place (key order and escaping aside). */
export function sameRoute(a: RouteParams, b: RouteParams): boolean {
  return formatRouteHash(a) === formatRouteHash(b);
}
