/**
 * Parses the `readelf -h -l -d -V -n -A -W` dumps that make-fixtures.sh
 * wrote for every ELF file of a fixture (`=== /path` before each), into the
 * facts the binaries scan reports: the reference the tests compare with.
 */
import { expected } from './rootfs';

export interface ReadelfFacts {
  path: string;
  class: 32 | 64;
  endianness: 'little' | 'big';
  type: string;
  machine: string;
  interpreter: string | null;
  needed: string[];
  soname: string | null;
  rpath: string | null;
  runpath: string | null;
  versionNeeds: { file: string; versions: string[] }[];
  versionDefinitions: string[];
  abiKernel: string | null;
  cpuArch: string | null;
  goVersion: string | null;
  goPath: string | null;
}

function parseBlock(path: string, text: string): ReadelfFacts {
  const field = (name: string) => new RegExp(`^\\s*${name}:\\s*(.*)$`, 'm').exec(text)?.[1].trim() ?? '';
  const facts: ReadelfFacts = {
    path,
    class: field('Class') === 'ELF64' ? 64 : 32,
    endianness: field('Data').includes('little') ? 'little' : 'big',
    type: field('Type').split(' ')[0],
    machine: field('Machine'),
    interpreter: /Requesting program interpreter: (.*)\]/.exec(text)?.[1] ?? null,
    needed: [...text.matchAll(/\(NEEDED\)\s+Shared library: \[(.*)\]/g)].map((m) => m[1]),
    soname: /\(SONAME\)\s+Library soname: \[(.*)\]/.exec(text)?.[1] ?? null,
    rpath: /\(RPATH\)\s+Library rpath: \[(.*)\]/.exec(text)?.[1] ?? null,
    runpath: /\(RUNPATH\)\s+Library runpath: \[(.*)\]/.exec(text)?.[1] ?? null,
    versionNeeds: [],
    versionDefinitions: [],
    abiKernel: /NT_GNU_ABI_TAG.*?OS: \S+, ABI: ([\d.]+)/s.exec(text)?.[1] ?? null,
    cpuArch: /Tag_CPU_arch: (\S+)/.exec(text)?.[1] ?? null,
    goVersion: null,
    goPath: null,
  };
  const needs = /Version needs section[^\n]*\n[^\n]*\n((?:\s+0[x0-9a-f]*:.*\n?)*)/.exec(text)?.[1] ?? '';
  for (const line of needs.split('\n')) {
    const file = /File: (\S+)/.exec(line);
    const name = /^\s+0x[0-9a-f]+:\s+Name: (\S+)/.exec(line);
    if (file !== null) facts.versionNeeds.push({ file: file[1], versions: [] });
    else if (name !== null) facts.versionNeeds[facts.versionNeeds.length - 1]?.versions.push(name[1]);
  }
  const definitions = /Version definition section[^\n]*\n[^\n]*\n((?:\s+0[x0-9a-f]*:.*\n?)*)/.exec(text)?.[1] ?? '';
  for (const match of definitions.matchAll(/Flags: (\S+)\s+Index: \d+\s+Cnt: \d+\s+Name: (\S+)/g)) {
    if (!match[1].includes('BASE')) facts.versionDefinitions.push(match[2]);
  }
  const go = /^Go build info: (.*)$/m.exec(text)?.[1];
  if (go !== undefined) {
    const parts = go.split('|');
    facts.goVersion = parts.find((part) => part.startsWith('go')) ?? null;
    facts.goPath = parts.find((part) => part.startsWith('path\t'))?.slice(5) ?? null;
  }
  return facts;
}

/** Every file of a dump, by path. */
export async function readelfDump(name: string): Promise<Map<string, ReadelfFacts>> {
  const text = await expected(name);
  const facts = new Map<string, ReadelfFacts>();
  for (const block of text.split(/^=== /m).slice(1)) {
    const newline = block.indexOf('\n');
    const path = block.slice(0, newline);
    facts.set(path, parseBlock(path, block.slice(newline + 1)));
  }
  return facts;
}

/** readelf's Machine names mapped to the short names of ElfSummary.machine. */
export const READELF_MACHINES: Record<string, string> = {
  'Advanced Micro Devices X86-64': 'x86-64',
  AArch64: 'aarch64',
  ARM: 'arm',
  'Intel 80386': '386',
  'IBM S/390': 's390',
  'PowerPC64': 'ppc64',
  'MIPS R3000': 'mips',
};
