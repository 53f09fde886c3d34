/**
 * The ELF summary against `readelf` on real binaries of this machine, plus
 * hostile input: truncations and byte flips of a real header must end in an
 * InspectError (or a summary), never another exception or a hang.
 */

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseElf, type ElfSummary } from '../../../../src/core/content/elf';
import { InspectError } from '../../../../src/core/errors';

/** The same facts, as readelf prints them. */
function readelf(path: string): Partial<ElfSummary> {
  const out = execFileSync('readelf', ['-h', '-l', '-d', '-W', path], { encoding: 'utf8' });
  const field = (name: string) =>
    new RegExp(`^\\s*${name}:\\s*(.*)$`, 'm').exec(out)?.[1].trim() ?? '';
  const machines: Record<string, string> = {
    'Advanced Micro Devices X86-64': 'x86-64',
    AArch64: 'aarch64',
  };
  return {
    class: field('Class') === 'ELF64' ? 64 : 32,
    endianness: field('Data').includes('little') ? 'little' : 'big',
    type: field('Type').split(' ')[0],
    machine: machines[field('Machine')] ?? field('Machine'),
    interpreter: /Requesting program interpreter: (.*)\]/.exec(out)?.[1] ?? null,
    needed: [...out.matchAll(/\(NEEDED\)\s+Shared library: \[(.*)\]/g)].map((m) => m[1]),
    soname: /\(SONAME\)\s+Library soname: \[(.*)\]/.exec(out)?.[1] ?? null,
    runpath: /\((?:RUNPATH|RPATH)\)\s+Library r(?:un)?path: \[(.*)\]/.exec(out)?.[1] ?? null,
  };
}

const binaries = [
  '/bin/busybox',
  '/usr/bin/ls',
  '/usr/lib/x86_64-linux-gnu/libc.so.6',
  '/usr/bin/node',
].filter(existsSync);

describe('parseElf', () => {
  it('reads the dynamic ls as readelf does', async () => {
    const summary = await parseElf(readFileSync('/usr/bin/ls'));
    expect(summary).toMatchObject({
      class: 64,
      endianness: 'little',
      type: 'DYN',
      machine: 'x86-64',
      interpreter: '/lib64/ld-linux-x86-64.so.2',
      needed: ['libselinux.so.1', 'libc.so.6'],
    });
  });

  it('reads static busybox: no interpreter, nothing needed', async () => {
    expect(await parseElf(readFileSync('/bin/busybox'))).toMatchObject({
      type: 'EXEC',
      machine: 'x86-64',
      interpreter: null,
      needed: [],
    });
  });

  it.each(binaries)('agrees with readelf -h -l -d on %s', async (path) => {
    expect(await parseElf(readFileSync(path))).toEqual(readelf(path));
  });

  it('reads only the ranges it needs through a reader', async () => {
    const bytes = readFileSync('/usr/bin/ls');
    let read = 0;
    const summary = await parseElf(async (offset, length) => {
      read += Math.min(length, bytes.length - offset);
      return bytes.subarray(offset, offset + length);
    });
    expect(summary.needed).toEqual(['libselinux.so.1', 'libc.so.6']);
    expect(read).toBeLessThan(bytes.length / 4);
  });

  it('reads a big-endian ELF32 header', async () => {
    const header = new Uint8Array(52);
    header.set([0x7f, 0x45, 0x4c, 0x46, 1, 2, 1]);
    const view = new DataView(header.buffer);
    view.setUint16(16, 2);
    view.setUint16(18, 8);
    expect(await parseElf(header)).toMatchObject({
      class: 32,
      endianness: 'big',
      type: 'EXEC',
      machine: 'mips',
      needed: [],
    });
  });

  it('rejects non-ELF bytes with an InspectError', async () => {
    await expect(parseElf(new TextEncoder().encode('#!/bin/sh\necho hi\n'))).rejects.toThrow(
      InspectError,
    );
    await expect(parseElf(new Uint8Array(0))).rejects.toThrow(/no ELF magic/);
  });

  it('survives truncations and byte flips of a real binary with InspectErrors only', async () => {
    const original = new Uint8Array(readFileSync('/usr/bin/ls'));
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const cases: Uint8Array[] = [];
    for (const length of [5, 20, 63, 64, 100, 700, 1000, 5000])
      cases.push(original.slice(0, length));
    for (let i = 0; i < 400; i += 1) {
      const copy = original.slice(0, 80_000);
      for (let flips = 0; flips < 4; flips += 1) {
        const at =
          random() < 0.7 ? Math.floor(random() * 1024) : Math.floor(random() * copy.length);
        copy[at] = Math.floor(random() * 256);
      }
      cases.push(copy);
    }
    let errors = 0;
    for (const bytes of cases) {
      try {
        await parseElf(bytes);
      } catch (error) {
        expect(error).toBeInstanceOf(InspectError);
        errors += 1;
      }
    }
    expect(errors).toBeGreaterThan(0);
  });
});
