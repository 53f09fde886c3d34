/**
 * ESLint rule `tarsier/import-direction`: keeps the imports of src/ and
 * workers/ pointing one way (ARCHITECTURE.md, "Layers"):
 *
 *   app → ui → state → bridge → workers → sources → core
 *   cli → sources → core   (the `tarsier` command: its own runtime, Node)
 *
 * A layer may import what LAYERS lists for it and nothing else: values from
 * `values`, and with `import type` only from `types` (type imports vanish
 * from the bundle, so a component may name a core type without running core
 * code). Packages are allowed per layer too. Paths are resolved against the
 * importing file, so `../../state/x` is judged by where it lands, not by how
 * it is spelt.
 */
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * Where each layer's files are (repo-relative, a trailing `/` for a folder)
 * and what it may import. The most specific folder wins (workers/storage/
 * before workers/).
 */
export const LAYERS = {
  app: {
    files: ['src/App.svelte', 'src/main.ts'],
    values: ['app', 'ui', 'state', 'lib'],
    packages: ['svelte'],
  },
  ui: { files: ['src/ui/'], values: ['ui', 'state', 'lib'], types: ['core', 'sources'], packages: ['svelte'] },
  state: {
    files: ['src/state/'],
    values: ['state', 'bridge', 'sources', 'core', 'lib', 'manifest'],
    packages: ['svelte'],
  },
  bridge: {
    files: ['src/bridge/'],
    values: ['bridge', 'storage', 'sources', 'core', 'lib'],
    // The worker entry points run in their own thread: the page knows their API by type alone.
    types: ['workers'],
    packages: ['comlink'],
  },
  workers: { files: ['workers/'], values: ['workers', 'storage', 'sources', 'core', 'lib'], packages: ['comlink'] },
  storage: { files: ['workers/storage/'], values: ['storage', 'sources', 'core', 'lib'], types: ['workers'], packages: [] },
  sources: { files: ['src/sources/'], values: ['sources', 'core'], packages: [] },
  core: {
    files: ['src/core/'],
    values: ['core'],
    // Codecs and hashing; SQLite for rpm databases; the SPDX lists for SBOM licenses.
    packages: ['fflate', 'hash-wasm', 'zstddec', 'sql.js', 'spdx-exceptions', 'spdx-license-ids'],
  },
  // `tarsier report` runs the same core in Node, with Node's modules and worker threads.
  cli: { files: ['src/cli/'], values: ['cli', 'sources', 'core', 'manifest'], packages: [] },
  lib: { files: ['src/lib/'], values: ['lib'], packages: [] },
  manifest: { files: ['package.json'], values: [], packages: [] },
};

/** The layer a repo-relative path belongs to, or null when it is in none. */
export function layerOf(path) {
  let best = null;
  let bestLength = -1;
  for (const [name, layer] of Object.entries(LAYERS)) {
    for (const place of layer.files) {
      const inside = place.endsWith('/') ? path.startsWith(place) : path === place;
      if (inside && place.length > bestLength) {
        best = name;
        bestLength = place.length;
      }
    }
  }
  return best;
}

/** `svelte/reactivity` → `svelte`, `@scope/name/x` → `@scope/name`. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** @type {import('eslint').Rule.RuleModule} */
export const importDirection = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports follow the layer direction of ARCHITECTURE.md' },
    schema: [],
    messages: {
      layer: '{{from}} must not import {{to}} ({{target}}): {{from}} imports {{allowed}}. See ARCHITECTURE.md, "Layers".',
      typeOnly:
        '{{from}} may import {{to}} ({{target}}) for its types only: write `import type` (an inline `type` still loads the module).',
      outside: '{{from}} must not import {{target}}, which is in no layer. See ARCHITECTURE.md, "Layers".',
      package: '{{from}} must not import the package {{target}}: {{from}} uses {{allowed}}. See ARCHITECTURE.md, "Layers".',
    },
  },
  create(context) {
    const root = context.cwd;
    const file = relative(root, context.filename).split(sep).join('/');
    const from = layerOf(file);
    if (from === null) return {};
    const layer = LAYERS[from];
    const allowedText = (names) => (names.length === 0 ? 'nothing' : names.join(', '));

    function check(node, specifier, typeOnly) {
      if (typeof specifier !== 'string') return;
      if (!specifier.startsWith('.') && !specifier.startsWith('/')) {
        const name = packageName(specifier);
        if (from === 'cli' && specifier.startsWith('node:')) return;
        if (!layer.packages.includes(name)) {
          const allowed = layer.packages.length === 0 ? 'no packages' : `only ${layer.packages.join(', ')}`;
          context.report({ node, messageId: 'package', data: { from, target: specifier, allowed } });
        }
        return;
      }
      const target = relative(root, resolve(dirname(context.filename), specifier)).split(sep).join('/');
      const to = layerOf(target);
      if (to === null) {
        context.report({ node, messageId: 'outside', data: { from, target } });
        return;
      }
      if (layer.values.includes(to)) return;
      if ((layer.types ?? []).includes(to)) {
        if (!typeOnly) context.report({ node, messageId: 'typeOnly', data: { from, to, target } });
        return;
      }
      const allowed = allowedText([...layer.values, ...(layer.types ?? []).map((name) => `types of ${name}`)]);
      context.report({ node, messageId: 'layer', data: { from, to, target, allowed } });
    }

    return {
      ImportDeclaration: (node) => check(node, node.source.value, node.importKind === 'type'),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value, node.exportKind === 'type'),
      ExportAllDeclaration: (node) => check(node, node.source.value, node.exportKind === 'type'),
      ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value, false),
    };
  },
};
