// `npm run lint`: typescript-eslint's strict rules and eslint-plugin-svelte's
// recommended ones over the app, the workers and the tests, plus the layer
// rule (lint/import-direction.js) that keeps imports pointing
// ui → state → bridge → workers → sources → core. ARCHITECTURE.md explains the layers.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import { importDirection } from './lint/import-direction.js';
import svelteConfig from './svelte.config.js';

export default defineConfig(
  {
    ignores: ['dist/', 'dist-cli/', 'node_modules/', 'test/fixtures/generated/'],
  },
  js.configs.recommended,
  ts.configs.strict,
  svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // `_`-prefixed parameters say "unused on purpose" (callbacks whose signature is fixed).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // State keeps collections in `$state.raw` and replaces them instead of mutating them
      // (a Map of 300k rows must not become 300k signals); plain Maps are the point.
      'svelte/prefer-svelte-reactivity': 'off',
      // `{' '}` is how a space between two inline blocks survives Svelte's whitespace trimming.
      'svelte/no-useless-mustaches': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: { parser: ts.parser, extraFileExtensions: ['.svelte'], svelteConfig },
    },
  },
  {
    files: ['src/**', 'workers/**'],
    plugins: { tarsier: { rules: { 'import-direction': importDirection } } },
    rules: {
      'tarsier/import-direction': 'error',
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Worker']",
          message: 'Workers are started in src/bridge only (ARCHITECTURE.md, "Layers").',
        },
      ],
    },
  },
  {
    // The bridge is where workers start (and the command starts its worker threads).
    files: ['src/bridge/**', 'src/cli/**'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  {
    // A worker's API file is a contract of types: nothing in it may run.
    files: ['workers/*-api.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'Program > :matches(VariableDeclaration, FunctionDeclaration, ClassDeclaration, ExpressionStatement)',
          message: 'A *-api.ts file holds types only; put code in the worker or in src/core.',
        },
        {
          selector: 'ExportNamedDeclaration > :matches(VariableDeclaration, FunctionDeclaration, ClassDeclaration)',
          message: 'A *-api.ts file holds types only; put code in the worker or in src/core.',
        },
        {
          selector: "ImportDeclaration[importKind!='type']",
          message: 'A *-api.ts file imports types only (`import type`).',
        },
      ],
    },
  },
  {
    files: ['test/**', 'bench/**', 'proxy/**', 'lint/**', 'scripts/**', 'bin/**', 'src/cli/**', '*.config.*', 'vite.config.ts', 'vite.cli.config.ts'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // A test that meets null where it asserted a value fails either way; `!` keeps it short.
    files: ['test/**'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
