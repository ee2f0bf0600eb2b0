// One entry point per format for `splitbench report RUN --format ...`.
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderMarkdown } from './markdown.js';
import type { ReportFormat, ReportInput } from './types.js';
import { renderXlsx } from './xlsx.js';

export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'csv', 'json', 'xlsx', 'html'];

/** Text formats come back as a string, XLSX as a Buffer. */
export const renderReport = async (input: ReportInput, format: ReportFormat): Promise<string | Buffer> => {
    switch (format) {
        case 'md':
            return renderMarkdown(input);
        case 'csv':
            return renderCsv(input);
        case 'json':
            return renderJson(input);
        case 'html':
            return renderHtml(input);
        case 'xlsx':
            return renderXlsx(input);
    }
};
