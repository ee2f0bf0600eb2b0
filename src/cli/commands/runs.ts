import type { Command } from 'commander';

// Placeholder: filled in by the owner of this command group.
export const registerRunsCommands = (_program: Command): void => {};
