// Lint of the map's browser code (geo/webmap/static) and its Node tests (tests/js).
import js from '@eslint/js';
import globals from 'globals';

export default [
  { ignores: ['geo/webmap/static/vendor/**'] }, // Leaflet-Geoman's own build, copied from the pinned npm package
  js.configs.recommended,
  {
    files: ['geo/webmap/static/**/*.js', 'ui/static/**/*.js'],
    languageOptions: {
      ecmaVersion: 2020,
      sourceType: 'script',
      globals: { ...globals.browser, ...globals.worker, module: 'readonly' },
    },
    rules: {
      'no-var': 'off', // ES5 style on purpose: the same files run in the page, a worker and Node
      eqeqeq: 'error',
      'no-implicit-globals': 'error',
      'no-unused-vars': ['error', { args: 'none', caughtErrors: 'none' }],
    },
  },
  {
    files: ['tests/js/**/*.js', 'tests/js/**/*.mjs'],
    languageOptions: { ecmaVersion: 2022, sourceType: 'commonjs', globals: { ...globals.node } },
  },
];
