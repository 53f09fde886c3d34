// Compares the two zstd decoders available to the layer pipeline, in Node, on
// a real zstd -3 layer-like tar (parts of /usr), against native `zstd -dc`.
//
//   node bench/zstd.mjs [file.tar.zst]
//
// Without an argument it builds bench/out/usr.tar.zst once (gitignored).
// Both decoders are fed 4 MiB chunks read synchronously from disk. fzstd is
// push-style; zstddec pulls from a synchronous iterable, which
// src/core/codec/zstd.ts turns into a push decoder (so it also serves network
// streams). Measured 2026-11-25 on the project machine (1.05 GB out):
// zstd -dc 885 MB/s, zstddec 486 MB/s, fzstd 158 MB/s → zstddec is used.
import { execFileSync, execSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decompress } from 'fzstd';
import { ZSTDDecoder } from 'zstddec/stream';

const CHUNK_SIZE = 4 * 1024 * 1024;
const RUNS = 3;

const here = dirname(fileURLToPath(import.meta.url));
const input = process.argv[2] ?? join(here, 'out', 'usr.tar.zst');

if (!existsSync(input)) {
  mkdirSync(dirname(input), { recursive: true });
  console.log(`building ${input} (tar of /usr/bin /usr/share /usr/sbin, zstd -3)…`);
  execSync(
    `tar -cf - /usr/bin /usr/share /usr/sbin 2>/dev/null | zstd -3 -T0 -q -o ${JSON.stringify(input)}`,
    { shell: '/bin/bash', stdio: 'inherit' },
  );
}

/** Yields the file in CHUNK_SIZE pieces, read synchronously. */
function* chunksOf(path) {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const buffer = new Uint8Array(CHUNK_SIZE);
      const read = readSync(fd, buffer, 0, CHUNK_SIZE, null);
      if (read === 0) return;
      yield buffer.subarray(0, read);
    }
  } finally {
    closeSync(fd);
  }
}

function decodeWithFzstd(path) {
  let out = 0;
  const decoder = new Decompress((data) => {
    out += data.length;
  });
  for (const chunk of chunksOf(path)) decoder.push(chunk);
  decoder.push(new Uint8Array(0), true);
  return out;
}

async function decodeWithZstddec(path) {
  const decoder = new ZSTDDecoder();
  await decoder.init();
  let out = 0;
  for (const data of decoder.decodeStreaming(chunksOf(path))) out += data.length;
  return out;
}

function decodeWithCli(path) {
  const out = execFileSync('bash', ['-c', `zstd -dc ${JSON.stringify(path)} | wc -c`]);
  return Number(out.toString().trim());
}

async function measure(name, run) {
  const times = [];
  let bytes = 0;
  for (let i = 0; i < RUNS; i += 1) {
    const start = performance.now();
    bytes = await run(input);
    times.push((performance.now() - start) / 1000);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const rate = bytes / 1e6 / median;
  console.log(
    `${name.padEnd(10)} ${rate.toFixed(0).padStart(5)} MB/s out  (median ${median.toFixed(2)} s, ${bytes} bytes)`,
  );
  return bytes;
}

console.log(
  `input ${input}: ${(statSync(input).size / 1e6).toFixed(1)} MB stored, ${RUNS} runs each`,
);
const sizes = [
  await measure('zstd -dc', decodeWithCli),
  await measure('zstddec', decodeWithZstddec),
  await measure('fzstd', decodeWithFzstd),
];
if (new Set(sizes).size !== 1) {
  console.error(`decoders disagree on the output size: ${sizes.join(', ')}`);
  process.exitCode = 1;
}
