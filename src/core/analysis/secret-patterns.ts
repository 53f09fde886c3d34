/**
 * What counts as a secret, and which files may hold one. Two kinds of
 * evidence, both high-confidence, so that a finding is worth a person's time:
 *
 * - credential files known by name (`~/.aws/credentials`, `.docker/config.json`,
 *   `.git-credentials`, `.npmrc`, `.pypirc`, `.netrc`, `.env`, kubeconfig,
 *   gcloud and Azure token stores, SSH keys), each with the line or field that
 *   makes it a credential (an `.npmrc` with no token is not one);
 * - tokens whose format identifies them wherever they appear: PEM and OpenSSH
 *   private keys, AWS access key ids, GitHub, GitLab and Slack tokens, Slack
 *   webhooks, GCP service-account keys.
 *
 * Evidence never carries a value in full (see text.ts maskSecret).
 */
import { maskSecret } from './text';

/** One piece of evidence found in a file, for a person (values masked). */
export type Evidence = string;

/** A credential file known by its path. */
export interface CredentialFile {
  /** What the file is, for messages ("npm registry config"). */
  label: string;
  /** The evidence in its text (empty: not a credential after all). */
  inspect(text: string): Evidence[];
  /** True when the file's presence alone is the finding (binary token stores). */
  presenceIsEvidence?: boolean;
}

/** Placeholder values that are not secrets: `${NPM_TOKEN}`, `<token>`, `changeme`, `xxxx`. */
const PLACEHOLDER = /^(\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|<[^>]*>|x+|\*+|changeme|change_me|secret|password|your[-_].*|todo|none|null|true|false)$/i;

function unquote(value: string): string {
  const trimmed = value.trim();
  const quoted = /^(["'])(.*)\1$/.exec(trimmed);
  return quoted ? quoted[2] : trimmed;
}

const isValue = (value: string): boolean => value !== '' && !PLACEHOLDER.test(value);

/** `key = value` (or `key: value`, as `separator` says) lines whose key matches `keys`, with a real value. */
function assignments(text: string, keys: RegExp, separator: RegExp): Evidence[] {
  const found: Evidence[] = [];
  // Keys may contain `:` (`//registry.npmjs.org/:_authToken`): the lazy key stops at the first separator.
  const line = new RegExp(`^([^\\s=#;]+?)${separator.source}(.*)$`);
  for (const raw of text.split('\n')) {
    const match = line.exec(raw.replace(/^\s*(export\s+)?/, ''));
    if (!match || !keys.test(match[1])) continue;
    const value = unquote(match[2]);
    if (isValue(value)) found.push(`${match[1]} = ${maskSecret(value)}`);
  }
  return found;
}

const EQUALS = /\s*=\s*/;
const COLON = /\s*:\s*/;
/** INI files (configparser) accept both. */
const EQUALS_OR_COLON = /\s*[=:]\s*/;

/** Environment-style names that hold secrets (`DB_PASSWORD`, `API_KEY`, `STRIPE_SECRET`). */
const SECRET_NAME = /(secret|token|passw(or)?d|passwd|api_?key|access_?key|private_?key|credential|auth)/i;

function dockerConfig(text: string): Evidence[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return /"(auth|identitytoken|registrytoken)"\s*:\s*"[^"]+"/.test(text) ? ['registry credentials'] : [];
  }
  const auths = (parsed as { auths?: Record<string, Record<string, unknown>> } | null)?.auths;
  if (typeof auths !== 'object' || auths === null) return [];
  const found: Evidence[] = [];
  for (const [registry, entry] of Object.entries(auths)) {
    for (const field of ['auth', 'identitytoken', 'registrytoken', 'password']) {
      const value = (entry as Record<string, unknown> | null)?.[field];
      if (typeof value === 'string' && isValue(value)) found.push(`${field} for ${registry}: ${maskSecret(value)}`);
    }
  }
  return found;
}

function gitCredentials(text: string): Evidence[] {
  const found: Evidence[] = [];
  for (const match of text.matchAll(/^\s*[a-z][a-z0-9+.-]*:\/\/[^:@\s/]*:([^@\s]+)@([^/\s]+)/gim)) {
    found.push(`credentials for ${match[2]}: ${maskSecret(match[1])}`);
  }
  return found;
}

function netrc(text: string): Evidence[] {
  return [...text.matchAll(/\bpassword\s+(\S+)/g)].filter((m) => isValue(m[1])).map((m) => `password ${maskSecret(m[1])}`);
}

/**
 * Credential files by path, tested on the absolute path. Order matters only
 * for the label: the first match names the file.
 */
export const CREDENTIAL_FILES: readonly { path: RegExp; file: CredentialFile }[] = [
  { path: /\/\.aws\/(credentials|config)$/, file: { label: 'AWS credentials file', inspect: (text) => assignments(text, /^aws_(secret_access_key|session_token)$/i, EQUALS) } },
  { path: /\/\.docker\/config\.json$/, file: { label: 'Docker client config', inspect: dockerConfig } },
  { path: /\/\.git-credentials$/, file: { label: 'git credential store', inspect: gitCredentials } },
  { path: /\/\.?npmrc$/, file: { label: 'npm config', inspect: (text) => assignments(text, /(^|:)_(authToken|auth|password)$/, EQUALS) } },
  { path: /\/\.pypirc$/, file: { label: 'PyPI config', inspect: (text) => assignments(text, /^password$/i, EQUALS_OR_COLON) } },
  { path: /\/[._]netrc$/, file: { label: 'netrc', inspect: netrc } },
  { path: /\/(\.env(\.[\w.-]+)?|[\w.-]+\.env)$/, file: { label: 'environment file', inspect: (text) => assignments(text, SECRET_NAME, EQUALS) } },
  { path: /\/\.kube\/config$/, file: { label: 'kubeconfig', inspect: (text) => assignments(text, /^(token|client-key-data|password|refresh-token|access-token)$/, COLON) } },
  { path: /\/\.config\/gcloud\/(credentials|access_tokens)\.db$/, file: { label: 'gcloud credential store', inspect: () => [], presenceIsEvidence: true } },
  { path: /\/\.azure\/(accessTokens|msal_token_cache)\.json$/, file: { label: 'Azure CLI token cache', inspect: () => [], presenceIsEvidence: true } },
  { path: /\/(id_(rsa|dsa|ecdsa|ed25519)(_sk)?|ssh_host_\w+_key)$/, file: { label: 'SSH private key', inspect: () => [] } },
  { path: /\.(pem|key|p8|ppk)$/, file: { label: 'key file', inspect: () => [] } },
  { path: /\/\.(bash|zsh|ash|sh|python|mysql|psql|node_repl)_history$/, file: { label: 'shell history', inspect: () => [] } },
  { path: /\/[^/]*(credential|service[-_]?account|gcp|gcloud|firebase|adc)[^/]*\.json$/i, file: { label: 'credentials JSON', inspect: () => [] } },
];

/** The credential file a path names, or null. */
export function credentialFile(path: string): CredentialFile | null {
  return CREDENTIAL_FILES.find((candidate) => candidate.path.test(path))?.file ?? null;
}

/** A token or key recognised by its format. */
interface TokenPattern {
  label: string;
  pattern: RegExp;
  /** Shows the match masked; by default group 1 is the secret. */
  describe?(match: RegExpMatchArray): Evidence;
  /** Known documentation examples, which are not leaks. */
  example?: RegExp;
}

const PRIVATE_KEY_KINDS: Record<string, string> = {
  'RSA ': 'RSA private key',
  'DSA ': 'DSA private key',
  'EC ': 'EC private key',
  'OPENSSH ': 'OpenSSH private key',
  'ENCRYPTED ': 'encrypted private key',
  'PGP ': 'PGP private key',
  '': 'private key (PKCS#8)',
};

const TOKEN_PATTERNS: readonly TokenPattern[] = [
  {
    label: 'private key',
    pattern: /-----BEGIN ((?:RSA |DSA |EC |OPENSSH |ENCRYPTED |PGP )?)PRIVATE KEY(?: BLOCK)?-----/g,
    describe: (match) => PRIVATE_KEY_KINDS[match[1]] ?? 'private key',
  },
  { label: 'AWS access key id', pattern: /\b((?:AKIA|ASIA)[0-9A-Z]{16})\b/g, example: /EXAMPLE$/ },
  { label: 'GitHub token', pattern: /\b(gh[pousr]_[A-Za-z0-9]{36,255})\b/g },
  { label: 'GitHub fine-grained token', pattern: /\b(github_pat_[A-Za-z0-9_]{82})\b/g },
  { label: 'GitLab token', pattern: /\b(glpat-[A-Za-z0-9_-]{20})\b/g },
  { label: 'Slack token', pattern: /\b(xox[abposr]-[A-Za-z0-9-]{10,})\b/g },
  { label: 'Slack webhook', pattern: /(https:\/\/hooks\.slack\.com\/services\/T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{20,})/g },
  {
    label: 'GCP service-account key',
    pattern: /"type"\s*:\s*"service_account"[\s\S]*?"private_key"\s*:\s*"-----BEGIN/g,
    describe: () => 'GCP service-account key (JSON with a private_key)',
  },
];

/** Each recognised token in `text`, masked, at most `limit` of them. */
export function findTokens(text: string, limit = 10): Evidence[] {
  const found: Evidence[] = [];
  for (const token of TOKEN_PATTERNS) {
    for (const match of text.matchAll(token.pattern)) {
      if (token.example?.test(match[1] ?? '')) continue;
      found.push(token.describe ? token.describe(match) : `${token.label} ${maskSecret(match[1])}`);
      if (found.length >= limit) return found;
    }
  }
  return found;
}
