import tseslint from 'typescript-eslint';

export default tseslint.config(
    { ignores: ['dist/**', 'node_modules/**', 'bin/**', 'scripts/**', 'results/**', 'models/**', 'test-output/**'] },
    ...tseslint.configs.recommendedTypeChecked,
    {
        languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
        rules: {
            '@typescript-eslint/no-floating-promises': 'error',
            '@typescript-eslint/no-misused-promises': 'error',
            '@typescript-eslint/switch-exhaustiveness-check': 'error',
            '@typescript-eslint/consistent-type-imports': 'error',
            '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
            'max-params': ['warn', 5],
        },
    },
    {
        // Pure layers stay free of I/O so they can be tested and reused without devices.
        files: ['src/parse/**', 'src/analysis/**', 'src/plan/**', 'src/report/**'],
        rules: {
            'no-restricted-imports': [
                'error',
                {
                    patterns: [
                        {
                            group: ['node:fs', 'node:fs/*', 'node:child_process', 'node:net'],
                            message: 'pure layer: no I/O',
                        },
                        // types of the I/O layers are fine; their code is not
                        { group: ['*/drivers/*', '*/store/*'], allowTypeImports: true, message: 'pure layer: no I/O' },
                    ],
                },
            ],
        },
    },
);
