#!/usr/bin/env node
/**
 * The Debian 12 packages the tests need, in one list: `npm test` runs this
 * first, and `.ci/run` only runs `npm ci && npm test`. Missing packages are
 * installed with apt-get when run as root; otherwise the script names them,
 * prints the command to run and exits 1. `npm install` and `npm run dev`
 * need none of these.
 *
 *   node scripts/system-packages.mjs           install what is missing (as root)
 *   node scripts/system-packages.mjs --check   only say what is missing (exit 1 if anything is)
 *   node scripts/system-packages.mjs --list    print the list with the reason for each package
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Each package with the reason the tests need it. */
export const systemPackages = [
  ['chromium', 'the end-to-end tests drive /usr/bin/chromium through playwright-core'],
  ['fonts-dejavu-core', 'a real font for the pages Chromium renders'],
  ['skopeo', 'fixture images and the reference reports (skopeo inspect, copy)'],
  ['umoci', 'fixture images and the whiteout reference (umoci unpack)'],
  ['buildah', 'fixture images built from a real Containerfile'],
  ['docker-registry', 'the registry tests, on 127.0.0.1'],
  ['busybox-static', 'the binary inside the fixture images; busybox tar'],
  ['tar', 'GNU tar: the reference listing of every layer'],
  ['libarchive-tools', 'bsdtar: archives in libarchive formats'],
  ['gzip', 'gzip layers and archives'],
  ['pigz', 'parallel gzip streams, as some producers write them'],
  ['zstd', 'zstd layers and archives'],
  ['xz-utils', 'xz-compressed test inputs'],
  ['jq', 'the fixture scripts read JSON'],
  ['python3', 'Python tarfile archives and deterministic test data'],
  ['diffutils', 'diff: the reference for the comparison line diff'],
  ['patch', 'patch: applies the line diff, which must rebuild the other side'],
  ['binutils', 'readelf: the reference for the ELF summary'],
  ['bsdextrautils', 'hexdump: the reference for the hex view'],
  ['imagemagick', 'real PNG/JPEG/GIF/WebP files for the file-kind tests'],
  ['openssl', "the registry token server's keys"],
  ['libcap2-bin', 'setcap/getcap: the reference for file capabilities'],
  ['rpm', 'rpm databases inside test images, and rpm -qa as their reference'],
  ['db5.3-util', 'db_load: the Berkeley DB rpm database of a test image'],
  ['debootstrap', 'a real Debian root filesystem as a test image'],
  ['gcc', 'dynamic C programs with missing libraries, for the binaries checks'],
  ['libc6-dev', "the C library headers and crt files gcc links those programs with"],
  ['openssh-client', 'ssh-keygen: a real SSH private key in the findings test image'],
  ['gdb', 'gcore: a real core dump in the findings test image'],
  ['golang-go', "Go's archive/tar writes the go-containerregistry tarball fixture"],
  ['nginx-light', 'the nginx recipe of the registry proxy'],
  ['ca-certificates', 'the CA bundle the nginx recipe loads'],
].map(([name, reason]) => ({ name, reason }));

/**
 * The names in `names` that dpkg does not list as installed. Throws an Error
 * whose `code` is 'ENOENT' when dpkg-query is not on PATH (not Debian).
 */
export function missingPackages(names, env = process.env) {
  const result = spawnSync('dpkg-query', ['-W', '-f=${Package}\\t${db:Status-Status}\\n', ...names], {
    encoding: 'utf8',
    env,
  });
  if (result.error) throw result.error;
  // Exit 1 with "no packages found matching" for names dpkg never saw: those are missing too.
  const installed = new Set(
    result.stdout
      .split('\n')
      .map((line) => line.split('\t'))
      .filter(([, status]) => status === 'installed')
      .map(([name]) => name.replace(/:.*$/, '')),
  );
  return names.filter((name) => !installed.has(name));
}

/** The shell command that installs `names`. */
export function installCommand(names) {
  return `apt-get update && apt-get install -y --no-install-recommends ${names.join(' ')}`;
}

/**
 * Checks the packages and, as root, installs the missing ones. Returns the
 * exit code: 0 when everything is installed (now), 1 otherwise, with the
 * reason written to `log`.
 */
export function ensureSystemPackages({
  names = systemPackages.map((entry) => entry.name),
  isRoot,
  install = true,
  env = process.env,
  log = (line) => console.error(line),
}) {
  let missing;
  try {
    missing = missingPackages(names, env);
  } catch (error) {
    log(`The tests need these Debian 12 packages: ${names.join(' ')}.`);
    log(`dpkg-query could not be run (${error.code ?? error.message}): on another system, install their equivalents, or run the tests on Debian 12.`);
    return 1;
  }
  if (missing.length === 0) return 0;
  if (!install) {
    log(`Missing Debian packages: ${missing.join(' ')}.`);
    return 1;
  }
  if (!isRoot) {
    log(`The tests need Debian packages that are not installed: ${missing.join(' ')}.`);
    log(`Install them as root, then run the tests again:\n  ${installCommand(missing)}`);
    log('(npm test run as root installs them itself.)');
    return 1;
  }
  log(`Installing the Debian packages the tests need: ${missing.join(' ')}`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  const steps = [
    ['apt-get', ['update', '-qq']],
    ['apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing]],
  ];
  for (const [command, args] of steps) {
    const result = spawnSync(command, args, { stdio: ['ignore', 'inherit', 'inherit'], env: aptEnv });
    if (result.error || result.status !== 0) {
      const how = result.error ? result.error.message : `exit status ${result.status}`;
      log(`\`${command} ${args.join(' ')}\` failed (${how}). Still missing: ${missing.join(' ')}.`);
      return 1;
    }
  }
  const still = missingPackages(missing, env);
  if (still.length > 0) {
    log(`apt-get finished, but these are still not installed: ${still.join(' ')}.`);
    return 1;
  }
  return 0;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const flags = new Set(process.argv.slice(2));
  if (flags.has('--list')) {
    for (const { name, reason } of systemPackages) console.log(`${name.padEnd(18)} ${reason}`);
    process.exit(0);
  }
  process.exit(ensureSystemPackages({ isRoot: process.getuid?.() === 0, install: !flags.has('--check') }));
}
