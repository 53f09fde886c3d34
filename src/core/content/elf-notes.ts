/**
 * ELF notes in PT_NOTE segments (System V ABI "Note Section"): the GNU ABI
 * tag (NT_GNU_ABI_TAG, `.note.ABI-tag`: the oldest kernel the C library
 * supports) and whether the file carries Go's build id note (`.note.go.buildid`,
 * which tells that Go build info is worth looking for).
 */
import { type ElfFile, PT_NOTE } from './elf-file';

const NT_GNU_ABI_TAG = 1;
const NT_GO_BUILD_ID = 4;
/** The most bytes read of one PT_NOTE segment. */
const MAX_NOTES = 64 * 1024;

const ABI_OS: Record<number, string> = { 0: 'Linux', 1: 'GNU', 2: 'Solaris', 3: 'FreeBSD' };

/** NT_GNU_ABI_TAG: the OS and minimum kernel version (`readelf -n`: "OS: Linux, ABI: 3.2.0"). */
export interface AbiTag {
  os: string;
  kernel: string;
}

export interface NoteInfo {
  abiTag: AbiTag | null;
  goBuildId: boolean;
}

/** Reads the notes of every PT_NOTE segment. */
export async function readNotes(elf: ElfFile): Promise<NoteInfo> {
  const info: NoteInfo = { abiTag: null, goBuildId: false };
  for (const segment of elf.segments) {
    if (segment.type !== PT_NOTE || segment.filesz === 0) continue;
    const bytes = await elf.read(segment.offset, Math.min(segment.filesz, MAX_NOTES));
    const fields = elf.fields(bytes);
    const align = segment.align === 8 ? 8 : 4;
    const pad = (n: number): number => Math.ceil(n / align) * align;
    let at = 0;
    while (at + 12 <= bytes.length) {
      const nameSize = fields.u32(at);
      const descSize = fields.u32(at + 4);
      const type = fields.u32(at + 8);
      const nameStart = at + 12;
      const descStart = nameStart + pad(nameSize);
      const next = descStart + pad(descSize);
      if (nameSize > bytes.length || descSize > bytes.length || next > bytes.length) break;
      // Go pads its owner name with NULs ("Go\0\0"), so strip them all.
      const name = new TextDecoder().decode(bytes.subarray(nameStart, nameStart + nameSize)).replace(/\0+$/, '');
      if (name === 'GNU' && type === NT_GNU_ABI_TAG && descSize >= 16) {
        const os = fields.u32(descStart);
        info.abiTag = {
          os: ABI_OS[os] ?? `os ${os}`,
          kernel: `${fields.u32(descStart + 4)}.${fields.u32(descStart + 8)}.${fields.u32(descStart + 12)}`,
        };
      } else if (name === 'Go' && type === NT_GO_BUILD_ID) {
        info.goBuildId = true;
      }
      at = next;
    }
  }
  return info;
}
