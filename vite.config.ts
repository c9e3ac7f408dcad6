/// <reference types="vitest/config" />
import { defineConfig, type Plugin } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { svelteTesting } from '@testing-library/svelte/vite';

/**
 * The Content-Security-Policy lives in index.html so the static build carries it everywhere.
 * The dev server alone talks over a websocket for hot reload; this opens the policy to it, only there.
 */
function devServerCsp(): Plugin {
  return {
    name: 'sandpit-dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace(/connect-src ([^;"]*)/, 'connect-src $1 ws: wss:'),
  };
}

export default defineConfig({
  base: './',
  plugins: [svelte(), devServerCsp()],
  build: {
    target: 'es2022',
    sourcemap: true,
    // The first load must not pull the SDK, the catalog or other heavy parts: they are dynamic imports.
    modulePreload: { polyfill: false },
    rolldownOptions: {
      output: {
        // What the first load and the lazy parts share (the Svelte runtime, storage and its schemas)
        // goes in one chunk rather than a dozen small ones: each file compresses apart, and costs a
        // request. Only modules the page loads anyway belong here.
        codeSplitting: {
          groups: [
            {
              name: 'core',
              test: (id: string) =>
                /node_modules[\\/](svelte|clsx|esm-env|valibot|idb-keyval)[\\/]/.test(id) ||
                (/src[\\/]lib[\\/](storage|state[\\/]autosave|chat[\\/]ids|api[\\/]problems|format|models[\\/](params|types))/.test(
                  id,
                ) &&
                  !id.includes('history-records')),
            },
          ],
        },
      },
    },
  },
  worker: { format: 'es' },
  optimizeDeps: {
    include: [
      'openai',
      'idb-keyval',
      'valibot',
      'gpt-tokenizer/models',
      'gpt-tokenizer/encoding/o200k_base',
      'gpt-tokenizer/encoding/cl100k_base',
      'marked',
      'dompurify',
      'papaparse',
      'chart.js',
      'umap-js',
      'monaco-editor/editor',
      'monaco-editor/features/register.all',
      'monaco-editor/languages/definitions/javascript/register',
      'monaco-editor/languages/features/json/register',
      'jsonc-parser',
      '@cfworker/json-schema',
    ],
  },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['tests/unit/**/*.test.ts', 'tests/server/**/*.test.ts'],
        },
      },
      {
        extends: true,
        plugins: [svelteTesting()],
        test: {
          name: 'component',
          environment: 'jsdom',
          include: ['tests/component/**/*.test.ts'],
          setupFiles: ['tests/component/setup.ts'],
          globalSetup: ['tests/component/global-setup.ts'],
        },
      },
    ],
  },
});
