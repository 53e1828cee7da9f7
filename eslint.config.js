// Lint: typescript-eslint's recommended rules, plus the core/shell boundary (README, Layout):
// the core (everything but cli/, server/, files/, realize-runner/, api/, testing/) may not touch node:*,
// ws, Date or Math.random, nor import the shell.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const core = ['src/reach/**', 'src/probe/**', 'src/l3/**', 'src/lb/**', 'src/audit/**', 'src/address/**', 'src/ipam/**', 'src/topology/**', 'src/util/**', 'src/switching/**', 'src/routing/**', 'src/firewall/**', 'src/engine/**', 'src/packet/**', 'src/lb/**', 'src/trace/**', 'src/realize/**', 'src/intents/**', 'src/library/**'];

export default tseslint.config(
  { ignores: ['dist/**', '**/node_modules/**', 'coverage/**', 'artifacts/**', 'reports/**', '.stryker-tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: core,
    rules: {
      'no-restricted-imports': ['error', { patterns: [
        { group: ['node:*', 'fs', 'path', 'ws', 'http'], message: 'The core is pure: I/O belongs in the shell (src/cli, src/server).' },
        { group: ['**/cli/*', '**/server/*', '**/realize-runner/*', '**/realize-runner/**'], message: 'The core never imports the shell: pass what it needs in (e.g. a Style).' },
      ] }],
      'no-restricted-properties': ['error',
        { object: 'Math', property: 'random', message: 'Use the seeded RNG (src/util/rng.ts).' },
        { object: 'Date', property: 'now', message: 'Use the virtual clock.' },
        { object: 'performance', property: 'now', message: 'Use the virtual clock.' }],
      'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date']", message: 'Use the virtual clock.' }],
    },
  },
  { files: ['scripts/**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
);
