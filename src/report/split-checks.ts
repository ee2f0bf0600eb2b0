// The head→tail check of every measured split (README "Sub-models"): did head then tail, on this host's TFLite
// runtime, give the full model's outputs? One section in every format (a column in CSV); renderers call one
// function each. Pure.
import { escapeMd, escapeXml } from './format.js';

/**
 * A check's verdict. pass: outputs bit-identical; fail: an output differs or a sub-model would not run (the split
 * is not measured unless the campaign says `verify: warn`); cannot-verify: the check could not be made (random
 * inputs give empty outputs, an op the host runtime lacks); not-checked: `verify: off`.
 */
export type SplitCheckStatus = 'pass' | 'fail' | 'cannot-verify' | 'not-checked';

export interface SplitCheck {
    status: SplitCheckStatus;
    /** fail / cannot-verify: what differed or why it could not be checked, one line. */
    detail?: string | undefined;
}

/** One split's verdict as a run stores it (run options `splitChecks`). */
export interface SplitCheckRecord extends SplitCheck {
    modelId: string;
    modelSha256: string;
    /** The cut is after this op (execution order). */
    split: number;
}

const WORD: Record<SplitCheckStatus, string> = {
    pass: 'pass',
    fail: 'FAIL',
    'cannot-verify': 'cannot verify',
    'not-checked': 'not checked (verify: off)',
};

/** `pass`, `FAIL: output 'y' differs …`, `cannot verify: …`, `not checked (verify: off)`. */
export const splitCheckText = (c: SplitCheck): string =>
    c.detail !== undefined && c.detail !== '' ? `${WORD[c.status]}: ${c.detail}` : WORD[c.status];

/** The verdict of one model's split, or undefined when the run recorded none (estimate-only, older runs). */
export const splitCheckOf = (
    checks: readonly SplitCheckRecord[] | undefined,
    modelSha256: string,
    split: number,
): SplitCheckRecord | undefined => checks?.find((c) => c.modelSha256 === modelSha256 && c.split === split);

const sorted = (checks: readonly SplitCheckRecord[]): SplitCheckRecord[] =>
    [...checks].sort((a, b) => a.modelId.localeCompare(b.modelId) || a.split - b.split);

const INTRO =
    "Head then tail on this host's TFLite runtime, same seeded inputs as the full model: outputs must be bit-identical. A split that FAILs is not measured (campaign `verify: gate`).";

export const splitChecksMarkdown = (checks: readonly SplitCheckRecord[]): string[] =>
    checks.length === 0
        ? []
        : [
              '## Head→tail check',
              '',
              INTRO,
              '',
              '| Model | Split after op | Verdict |',
              '|---|---|---|',
              ...sorted(checks).map((c) => `| ${escapeMd(c.modelId)} | ${c.split} | ${escapeMd(splitCheckText(c))} |`),
              '',
          ];

export const splitChecksHtml = (checks: readonly SplitCheckRecord[]): string =>
    checks.length === 0
        ? ''
        : `<h2>Head→tail check</h2><p class="meta">${escapeXml(INTRO)}</p><table class="checks"><thead><tr><th class="t">Model</th><th>Split after op</th><th class="t">Verdict</th></tr></thead><tbody>${sorted(
              checks,
          )
              .map(
                  (c) =>
                      `<tr class="check-${c.status}"><td class="t">${escapeXml(c.modelId)}</td><td>${c.split}</td><td class="t wrap${c.status === 'fail' ? ' note' : ''}">${escapeXml(splitCheckText(c))}</td></tr>`,
              )
              .join('')}</tbody></table>`;

/** Spreadsheet rows: a header, then one per split. */
export const splitChecksRows = (checks: readonly SplitCheckRecord[]): (string | number)[][] => [
    ['Model', 'Model sha256', 'Split after op', 'Verdict', 'Detail'],
    ...sorted(checks).map((c) => [c.modelId, c.modelSha256, c.split, WORD[c.status], c.detail ?? '']),
];
