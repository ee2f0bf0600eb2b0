// Report format names on the command line (`report --format`, `run --report`, `compare`/`history --format`): the
// campaign file's vocabulary, so `md` and `markdown` both work everywhere.
import { REPORT_FORMATS } from '../config/schema.js';
import { closest } from '../config/suggest.js';
import { SplitbenchError } from '../errors.js';
import type { ReportFormat } from '../report/types.js';

/** Names accepted on the command line, for --help texts. */
export const REPORT_FORMAT_NAMES: readonly string[] = REPORT_FORMATS;

/**
 * The report format a name stands for (`markdown` → `md`). Throws SplitbenchError USAGE naming the flag, the
 * value and the allowed names (or the likely one).
 */
export const parseReportFormat = (flag: string, name: string): ReportFormat => {
    const n = name.trim().toLowerCase();
    if (n === 'markdown') return 'md';
    if (n === 'md' || n === 'csv' || n === 'json' || n === 'html' || n === 'xlsx') return n;
    const likely = closest(name, REPORT_FORMAT_NAMES);
    throw new SplitbenchError(
        'USAGE',
        `${flag}: unknown format "${name}"${likely !== undefined ? ` (did you mean "${likely}"?)` : ''}; allowed: ${REPORT_FORMAT_NAMES.join(', ')}`,
    );
};

const TEXT_FORMATS = ['text', 'md', 'markdown', 'json'] as const;

/**
 * `compare`/`history --format`: `text`, `md` (= `markdown`) or `json`. Throws SplitbenchError USAGE naming the flag,
 * the value and the allowed names (or the likely one).
 */
export const parseTextFormat = (flag: string, name: string): 'text' | 'md' | 'json' => {
    const n = name.trim().toLowerCase();
    if (n === 'markdown') return 'md';
    if (n === 'text' || n === 'md' || n === 'json') return n;
    const likely = closest(name, TEXT_FORMATS);
    throw new SplitbenchError(
        'USAGE',
        `${flag}: unknown format "${name}"${likely !== undefined ? ` (did you mean "${likely}"?)` : ''}; allowed: ${TEXT_FORMATS.join(', ')}`,
    );
};
