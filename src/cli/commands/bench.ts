import type { Command } from 'commander';

// Placeholder: filled in by the owner of this command group.
export const registerBenchCommand = (_program: Command): void => {};
