// Report format names on the command line (`report --format`, `run --report`): the campaign file's vocabulary,
// so `md` and `markdown` both work everywhere.
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

/** `compare`/`history --format`: `text`, or `md`/`markdown`. Throws SplitbenchError USAGE for anything else. */
export const parseTextOrMd = (flag: string, name: string): 'text' | 'md' => {
    const n = name.trim().toLowerCase();
    if (n === 'text') return 'text';
    if (n === 'md' || n === 'markdown') return 'md';
    const likely = closest(name, ['text', 'md', 'markdown']);
    throw new SplitbenchError(
        'USAGE',
        `${flag}: unknown format "${name}"${likely !== undefined ? ` (did you mean "${likely}"?)` : ''}; allowed: text, md, markdown`,
    );
};
