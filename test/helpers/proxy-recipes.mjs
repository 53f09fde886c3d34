/**
 * Starts each registry proxy recipe as its own process on 127.0.0.1, the way
 * proxy/README.md runs it, so that one table of tests (test/unit/proxy-contract.test.ts)
 * and the browser tests can run against all of them:
 *  - node:    `node proxy/server.mjs --allow …`
 *  - workerd: proxy/cloudflare-worker.js (importing proxy/rules.mjs) under workerd,
 *             through proxy/workerd.capnp, with the ALLOW variable;
 *  - nginx:   proxy/nginx.conf under Debian's nginx, with the registries (and, as
 *             nginx cannot learn them from challenges, their token realms) added to
 *             its $forward_allowed map where the recipe says to add them.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { freePort } from './free-port.mjs';

const root = new URL('../../', import.meta.url).pathname;
const proxyDir = join(root, 'proxy');
/** The workerd binary that the npm package `workerd` ships for this platform. */
const workerdBinary = createRequire(import.meta.url)('workerd').default;

/** The recipes, in the order the tests run them. */
export const proxyRecipes = ['node', 'workerd', 'nginx'];

/** Resolves once something answers HTTP on the port (an OPTIONS preflight, which every recipe answers). */
async function waitForHttp(port, child, output) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`proxy exited with ${child.exitCode}:\n${output()}`);
    const answer = await fetch(`http://127.0.0.1:${port}/`, { method: 'OPTIONS' }).catch(() => null);
    if (answer) return;
    if (Date.now() > deadline) throw new Error(`proxy did not answer on port ${port}:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function collect(child) {
  let text = '';
  child.stdout.on('data', (data) => (text += data));
  child.stderr.on('data', (data) => (text += data));
  return () => text;
}

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * proxy/nginx.conf with the test's port and its registries and realms added
 * after the recipe's "More registries" line, as a person adding theirs would.
 */
export async function nginxConfig(port, allow, realms) {
  const recipe = await readFile(join(proxyDir, 'nginx.conf'), 'utf8');
  const marker = /^( *)# More registries, one line each.*$/m;
  const listen = 'listen 127.0.0.1:8787;';
  if (!marker.test(recipe) || !recipe.includes(listen)) throw new Error('proxy/nginx.conf: no "More registries" line or listen directive');
  const lines = [
    ...allow.map((entry) => `"~^${escapeRegExp(entry)}${entry.includes(':') ? '' : '(:[0-9]+)?'}/v2(/|$)" 1;`),
    ...realms.map((realm) => `"~^${escapeRegExp(realm)}$" 1;`),
  ];
  return recipe
    .replace(marker, (line, indent) => [line, ...lines.map((entry) => `${indent}${entry}`)].join('\n'))
    .replace(listen, `listen 127.0.0.1:${port};`);
}

/**
 * Starts one recipe. `allow`: extra registries (`host[:port]`); `realms`:
 * token realms as `host[:port]/path`, which only nginx needs to be told.
 * Resolves to { recipe, url, pid, output, close }: `pid` is the process that
 * carries the bodies (nginx's worker, not its master).
 */
export async function startProxyRecipe(recipe, { allow = [], realms = [] } = {}) {
  if (recipe === 'node') {
    const child = spawn(process.execPath, [join(proxyDir, 'server.mjs'), '--port', '0', ...allow.flatMap((entry) => ['--allow', entry])], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output = collect(child);
    const deadline = Date.now() + 20_000;
    while (!/127\.0\.0\.1:(\d+)/.test(output())) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`node proxy did not start:\n${output()}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const port = Number(/127\.0\.0\.1:(\d+)/.exec(output())[1]);
    return running(recipe, child, port, output, null);
  }
  const port = await freePort();
  if (recipe === 'workerd') {
    const child = spawn(workerdBinary, ['serve', join(proxyDir, 'workerd.capnp'), '--socket-addr', `http=127.0.0.1:${port}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ALLOW: allow.join(',') },
    });
    const output = collect(child);
    await waitForHttp(port, child, output);
    return running(recipe, child, port, output, null);
  }
  if (recipe === 'nginx') {
    const prefix = await mkdtemp(join(tmpdir(), 'tarsier-nginx-'));
    await mkdir(join(prefix, 'tmp'));
    await writeFile(join(prefix, 'nginx.conf'), await nginxConfig(port, allow, realms));
    const child = spawn('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-g', 'daemon off;'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const processOutput = collect(child);
    const accessLog = join(prefix, 'access.log');
    const output = () => processOutput() + (existsSync(accessLog) ? readFileSync(accessLog, 'utf8') : '');
    await waitForHttp(port, child, output);
    const [worker] = (await readFile(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8')).trim().split(/\s+/).map(Number);
    return running(recipe, child, port, output, () => rm(prefix, { recursive: true, force: true }), worker);
  }
  throw new Error(`unknown proxy recipe ${recipe}`);
}

function running(recipe, child, port, output, cleanup, pid = child.pid) {
  return {
    recipe,
    url: `http://127.0.0.1:${port}`,
    port,
    pid,
    output,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        // nginx stops at once on SIGTERM (SIGQUIT would wait for open connections).
        child.kill('SIGTERM');
        await exited;
      }
      await cleanup?.();
    },
  };
}
