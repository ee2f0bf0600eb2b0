// The one argv → shell-string conversion, shared by the adb and ssh drivers (both hand a single string to a
// remote POSIX shell: toybox/mksh on Android, dash/bash on Linux). Single quotes are the only quoting every
// one of those shells treats literally, so everything that is not obviously safe goes inside them.
import { SplitbenchError } from '../errors.js';

// `=` is excluded so a first word like `A=b` is never taken as an assignment; `~`, `#`, `{`, `}`, `!` and `*`
// are excluded because some shell expands or interprets them at the start of (or anywhere in) a word.
const SAFE_WORD = /^[A-Za-z0-9_\-+.,/:@%]+$/;

/** Quote one argument so a POSIX shell reads it back as exactly this string. */
export const quoteArg = (arg: string): string => {
    if (arg.includes('\0')) {
        throw new SplitbenchError('USAGE', `shell argument ${JSON.stringify(arg)}: contains a NUL byte`);
    }
    if (SAFE_WORD.test(arg)) return arg;
    // Close the quote, add an escaped quote, reopen: 'it'\''s'.
    return `'${arg.replaceAll("'", `'\\''`)}'`;
};

/** Quote an argv array into one command line for `sh -c`. */
export const quoteArgv = (argv: readonly string[]): string => argv.map(quoteArg).join(' ');
