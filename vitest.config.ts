import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        include: ['test/**/*.test.ts'],
        // Tests share one adb server and one sshd; two cores make wide parallelism counter-productive.
        maxWorkers: 2,
        // Campaign tests run the CLI end to end (20–40 s on a quiet 2-core host); a busy host doubles that.
        testTimeout: 180_000,
        hookTimeout: 120_000,
        clearMocks: true,
        restoreMocks: true,
        globalSetup: ['test/support/global-setup.ts'],
        reporters: ['default', './test/support/summary-reporter.ts'],
    },
});
