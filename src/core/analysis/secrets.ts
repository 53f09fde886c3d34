/**
 * Secrets stored in an image's layers. Every regular-file member of every
 * layer is a candidate when its path names a credential file or when it is
 * a small text file of a kind that holds configuration or code outside the
 * system's own trees (see secret-patterns.ts for what counts as evidence).
 * A member the merged filesystem still shows is a `secret`; one that a later
 * layer (or a later member of its own layer) deleted or replaced is a
 * `secret-in-lower-layer`, the classic leak: `RUN rm key` hides the file, but
 * the layer below still stores it and anyone who pulls the image has it.
 *
 * Reading is bounded: credential files up to 1 MiB each; other candidates up
 * to 256 KiB each and 16 MiB (2000 files) per image, after which an info
 * finding says how many were left unread.
 */
import { resolvePath } from '../fs/file-node';
import type { LayeredFilesystem } from '../fs/filesystem';
import { keptContents } from '../fs/wasted-space';
import type { TarEntry } from '../types';
import type { FindingList } from './finding-list';
import type { ReadLayerBytes } from './rootfs';
import { credentialFile, findTokens, type CredentialFile, type Evidence } from './secret-patterns';
import { decodeText, looksBinary } from './text';

/** Bounds on what the secret scan reads. */
export interface SecretScanLimits {
  /** Bytes read of each credential file (known by name). */
  credentialFileBytes: number;
  /** Largest other candidate read; bigger ones are skipped. */
  otherFileBytes: number;
  /** Bytes read over all other candidates of an image. */
  otherTotalBytes: number;
  /** Other candidates read per image. */
  otherFiles: number;
}

export const DEFAULT_SECRET_SCAN_LIMITS: SecretScanLimits = {
  credentialFileBytes: 1024 * 1024,
  otherFileBytes: 256 * 1024,
  otherTotalBytes: 16 * 1024 * 1024,
  otherFiles: 2000,
};

/** Text files that hold configuration or code, where people paste tokens. */
const TEXT_CANDIDATE = /\.(env|json|ya?ml|toml|ini|cfg|conf|config|properties|xml|txt|sh|bash|zsh|ps1|js|mjs|cjs|ts|py|rb|go|php|java|cs|tf|tfvars|hcl|sql)$/i;

/** The system's own trees and package stores: their files come from packages, not from the image's author. */
const SYSTEM_TREE = /^\/(usr\/(share|lib|lib32|lib64|libexec|include|bin|sbin)|lib|lib32|lib64|bin|sbin|boot|proc|sys|dev|var\/lib\/(dpkg|apt|rpm|apk)|var\/cache|etc\/ssl\/certs)\/|\/(node_modules|site-packages|dist-packages|\.git)\//;

/** Evidence listed per finding; a file full of tokens needs only a few to be acted on. */
const EVIDENCE_SHOWN = 5;

interface Candidate {
  layer: number;
  entry: TarEntry;
  path: string;
  credential: CredentialFile | null;
  visible: boolean;
}

function candidates(filesystem: LayeredFilesystem, limits: SecretScanLimits): { credentials: Candidate[]; others: Candidate[] } {
  const last = filesystem.layerCount - 1;
  const kept = keptContents(filesystem.rootAfter(last), filesystem.layerCount);
  const credentials: Candidate[] = [];
  const others: Candidate[] = [];
  for (let layer = 0; layer <= last; layer += 1) {
    for (const entry of filesystem.layerEntries(layer)) {
      if (entry.type !== 'file' || entry.whiteout !== null || entry.size === 0) continue;
      const path = `/${entry.path}`;
      const credential = credentialFile(path);
      const candidate = { layer, entry, path, credential, visible: kept[layer].has(entry.offset) };
      if (credential !== null) credentials.push(candidate);
      else if (entry.size <= limits.otherFileBytes && TEXT_CANDIDATE.test(path) && !SYSTEM_TREE.test(path)) others.push(candidate);
    }
  }
  // What the merged filesystem shows first, then lower layers' copies, each in layer and tar order.
  others.sort((a, b) => Number(b.visible) - Number(a.visible) || a.layer - b.layer || a.entry.offset - b.entry.offset);
  return { credentials, others };
}

/** Which layer removed a stored copy from view, and how. */
function fate(filesystem: LayeredFilesystem, candidate: Candidate): string {
  const { layer, path, entry } = candidate;
  for (let after = layer; after < filesystem.layerCount; after += 1) {
    const found = resolvePath(filesystem.rootAfter(after), path, { followFinal: false });
    if (found.ok && found.node.contentLayer === layer && found.node.contentOffset === entry.offset) continue;
    if (after === layer) return `a later member of layer ${layer} replaced it`;
    return found.ok ? `layer ${after} replaced it` : `layer ${after} deleted it`;
  }
  return 'a later layer hid it';
}

async function evidenceOf(candidate: Candidate, read: ReadLayerBytes, length: number): Promise<Evidence[]> {
  const bytes = await read(candidate.layer, candidate.entry.offset, length);
  const { credential } = candidate;
  if (credential === null && looksBinary(bytes)) return [];
  if (credential?.presenceIsEvidence) return ['present'];
  const text = decodeText(bytes);
  const found = [...(credential?.inspect(text) ?? []), ...findTokens(text)];
  return [...new Set(found)];
}

function report(filesystem: LayeredFilesystem, candidate: Candidate, evidence: Evidence[], list: FindingList): void {
  const more = evidence.length > EVIDENCE_SHOWN ? ` and ${evidence.length - EVIDENCE_SHOWN} more` : '';
  const shown = `${evidence.slice(0, EVIDENCE_SHOWN).join('; ')}${more}`;
  const what = candidate.credential ? `${candidate.credential.label}: ${shown}` : shown;
  const { path, layer } = candidate;
  if (candidate.visible) {
    list.add({ id: 'secret', severity: 'high', path, layer, message: what }, 'secrets');
  } else {
    const message = `${what}; ${fate(filesystem, candidate)}, but layer ${layer} still stores it`;
    list.add({ id: 'secret-in-lower-layer', severity: 'high', path, layer, message }, 'secrets in lower layers');
  }
}

/** Scans every layer for secrets (see the file comment) and adds what it finds to `list`. */
export async function checkSecrets(
  filesystem: LayeredFilesystem,
  read: ReadLayerBytes,
  list: FindingList,
  limits: SecretScanLimits = DEFAULT_SECRET_SCAN_LIMITS,
): Promise<void> {
  const { credentials, others } = candidates(filesystem, limits);
  for (const candidate of credentials) {
    const evidence = await evidenceOf(candidate, read, Math.min(candidate.entry.size, limits.credentialFileBytes));
    if (evidence.length > 0) report(filesystem, candidate, evidence, list);
  }
  let files = 0;
  let bytes = 0;
  for (const candidate of others) {
    if (files >= limits.otherFiles || bytes + candidate.entry.size > limits.otherTotalBytes) break;
    files += 1;
    bytes += candidate.entry.size;
    const evidence = await evidenceOf(candidate, read, candidate.entry.size);
    if (evidence.length > 0) report(filesystem, candidate, evidence, list);
  }
  if (files < others.length) {
    list.add({
      id: 'secret-scan-limit',
      severity: 'info',
      path: null,
      layer: null,
      message: `The secret scan read ${files} of ${others.length} other text files (${bytes} bytes; at most ${limits.otherFiles} files and ${limits.otherTotalBytes} bytes per image): ${others.length - files} were not scanned`,
    });
  }
}
