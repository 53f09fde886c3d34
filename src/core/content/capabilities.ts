/**
 * File capabilities: the `security.capability` extended attribute, the
 * kernel's `struct vfs_cap_data` (include/uapi/linux/capability.h): a le32
 * `magic_etc` (revision in the top byte, bit 0 = effective), then permitted
 * and inheritable masks as le32 pairs (one pair in revision 1, two in 2 and
 * 3), and in revision 3 the namespace root uid. Written the way `getcap -n`
 * prints them, so that an audit reads the same in both.
 */

/** Capability names by bit number (Linux 6.x). */
const NAMES = [
  'cap_chown', 'cap_dac_override', 'cap_dac_read_search', 'cap_fowner', 'cap_fsetid', 'cap_kill',
  'cap_setgid', 'cap_setuid', 'cap_setpcap', 'cap_linux_immutable', 'cap_net_bind_service',
  'cap_net_broadcast', 'cap_net_admin', 'cap_net_raw', 'cap_ipc_lock', 'cap_ipc_owner', 'cap_sys_module',
  'cap_sys_rawio', 'cap_sys_chroot', 'cap_sys_ptrace', 'cap_sys_pacct', 'cap_sys_admin', 'cap_sys_boot',
  'cap_sys_nice', 'cap_sys_resource', 'cap_sys_time', 'cap_sys_tty_config', 'cap_mknod', 'cap_lease',
  'cap_audit_write', 'cap_audit_control', 'cap_setfcap', 'cap_mac_override', 'cap_mac_admin', 'cap_syslog',
  'cap_wake_alarm', 'cap_block_suspend', 'cap_audit_read', 'cap_perfmon', 'cap_bpf', 'cap_checkpoint_restore',
];

/** What a `security.capability` value grants. */
export interface FileCapabilities {
  effective: boolean;
  permitted: string[];
  inheritable: string[];
  /** Revision 3 only: the user namespace's root uid the capabilities apply in. */
  rootId: number | null;
}

const REVISION_WORDS: Record<number, number> = { 1: 1, 2: 2, 3: 2 };

/** Bits set in a 64-bit mask given as two le32 words, as names (`cap_<n>` past the known ones). */
function names(low: number, high: number): string[] {
  const out: string[] = [];
  for (let bit = 0; bit < 64; bit += 1) {
    const word = bit < 32 ? low : high;
    if (((word >>> (bit % 32)) & 1) === 1) out.push(NAMES[bit] ?? `cap_${bit}`);
  }
  return out;
}

/**
 * Decodes a `security.capability` value given as a binary string (one
 * character per byte, as TarEntry.xattrs holds it); null when it is not one.
 */
export function decodeCapabilities(value: string): FileCapabilities | null {
  const bytes = Uint8Array.from(value, (character) => character.charCodeAt(0) & 0xff);
  if (bytes.length < 4) return null;
  const view = new DataView(bytes.buffer);
  const magic = view.getUint32(0, true);
  const revision = magic >>> 24;
  const words = REVISION_WORDS[revision];
  const expectedLength = 4 + 8 * (words ?? 0) + (revision === 3 ? 4 : 0);
  if (words === undefined || bytes.length !== expectedLength) return null;
  const word = (index: number): number => (index < words ? view.getUint32(4 + index * 8, true) : 0);
  const inheritableWord = (index: number): number => (index < words ? view.getUint32(8 + index * 8, true) : 0);
  return {
    effective: (magic & 1) === 1,
    permitted: names(word(0), word(1)),
    inheritable: names(inheritableWord(0), inheritableWord(1)),
    rootId: revision === 3 ? view.getUint32(4 + 8 * words, true) : null,
  };
}

/**
 * The capabilities as `getcap -n` (libcap 2.66) writes them for the usual
 * case: names sharing the same flags joined by commas, `=` and the flags in
 * `eip` order, groups separated by spaces; then ` [rootid=N]`.
 */
export function formatCapabilities(capabilities: FileCapabilities): string {
  const groups = new Map<string, string[]>();
  for (const name of new Set([...capabilities.permitted, ...capabilities.inheritable])) {
    const flags =
      (capabilities.effective && capabilities.permitted.includes(name) ? 'e' : '') +
      (capabilities.inheritable.includes(name) ? 'i' : '') +
      (capabilities.permitted.includes(name) ? 'p' : '');
    groups.set(flags, [...(groups.get(flags) ?? []), name]);
  }
  const text = [...groups].map(([flags, members]) => `${members.join(',')}=${flags}`).join(' ');
  return capabilities.rootId === null ? text : `${text} [rootid=${capabilities.rootId}]`;
}

/** One extended attribute as the viewer lists it. */
export interface FileAttribute {
  name: string;
  /** Bytes of the value. */
  size: number;
  /** The value made readable: decoded capabilities, or UTF-8 text; null for other binary values. */
  text: string | null;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The extended attributes of a member (binary-string values, see TarEntry.xattrs), by name. */
export function describeAttributes(xattrs: Readonly<Record<string, string>> | undefined): FileAttribute[] {
  return Object.entries(xattrs ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => {
      if (name === 'security.capability') {
        const capabilities = decodeCapabilities(value);
        return { name, size: value.length, text: capabilities === null ? null : formatCapabilities(capabilities) };
      }
      let text: string | null;
      try {
        const decoded = utf8.decode(Uint8Array.from(value, (character) => character.charCodeAt(0) & 0xff));
        // Control characters other than tab and newline make it binary (and must not be drawn).
        // eslint-disable-next-line no-control-regex -- control characters are what this looks for
        text = /[\u0000-\u0008\u000b-\u001f\u007f]/.test(decoded) ? null : decoded;
      } catch {
        text = null;
      }
      return { name, size: value.length, text };
    });
}
