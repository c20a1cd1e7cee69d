// @ts-check
/**
 * House style (shared/house-style.md, "Comments and lint"): typescript-eslint strict with type information,
 * exhaustive switches, no floating promises, type-only imports, strict equality, braces, and only Errors thrown.
 */
const eslint = require('@eslint/js');
const tseslint = require('typescript-eslint');
// Formatting is Prettier's (`prettier --check` in `npm run lint`): eslint's formatting rules stay off.
const prettierConfig = require('eslint-config-prettier');

module.exports = tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'bench-results/**', 'data/**', 'docs/**'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  prettierConfig,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: __dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        // A `default` that ignores unknown (newer) event types is the house pattern for evolve.
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': [
        'error',
        // Nest reads constructor parameter types at runtime (emitDecoratorMetadata): the rule knows and keeps those.
        { prefer: 'type-imports', fixStyle: 'inline-type-imports' },
      ],
      '@typescript-eslint/only-throw-error': 'error',
      eqeqeq: ['error', 'always'],
      curly: ['error', 'all'],
      // Numbers and bigints in template strings are fine (ids, positions, versions); objects are not.
      '@typescript-eslint/restrict-template-expressions': [
        'error',
        { allowNumber: true, allowBoolean: true, allowNullish: false, allowAny: false },
      ],
      // Nest modules are classes with decorators and no members.
      '@typescript-eslint/no-extraneous-class': ['error', { allowWithDecorator: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // `() => map.delete(k)` and `return finish()` in a void function say what they mean.
      '@typescript-eslint/no-confusing-void-expression': [
        'error',
        { ignoreArrowShorthand: true, ignoreVoidReturningFunctions: true },
      ],
      // On together with tsconfig's `noUncheckedIndexedAccess` (issue 17): with it `arr[0]` is typed as possibly
      // missing, so a defensive `if (first === undefined)` is a condition the types agree with.
      '@typescript-eslint/no-unnecessary-condition': 'error',
      // Code-first GraphQL types and Nest option types are classes only to carry decorators and metadata;
      // resolvers and bootstrap code pass plain objects of their shape, as NestJS intends.
      '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/*.contract-spec.ts', 'test/**/*.ts', '**/*.spec-helpers.ts'],
    rules: {
      // Tests assert on shapes they just built; a `!` after an `expect(...).toBeDefined()` is clearer than a guard.
      '@typescript-eslint/no-non-null-assertion': 'off',
      // jest's `expect(obj.method)` and mocks pass unbound methods on purpose.
      '@typescript-eslint/unbound-method': 'off',
      // Asymmetric matchers (`expect.any(...)`, `expect.stringMatching(...)`) are typed `any` by @types/jest.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: {
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        process: 'readonly',
        console: 'readonly',
      },
    },
    rules: {
      ...tseslint.configs.disableTypeChecked.rules,
      '@typescript-eslint/no-require-imports': 'off',
    },
  },
);
