// Markdown report: run facts, formulas, devices and settings, then per model × device pair the split table,
// estimated vs measured, the network view, and what could not be matched or estimated.
import type { SplitAnalysis } from '../analysis/types.js';
import { FORMULAS } from './formulas.js';
import { provenanceMarkdown } from './provenance.js';
import { splitChecksMarkdown } from './split-checks.js';
import { escapeMd, flattenSettings, fmtBreakEven, fmtInt, fmtMs, fmtStat, withCaveat } from './format.js';
import {
    analysisTitle,
    bestText,
    cellText,
    detailColumns,
    repetitionCaveat,
    statisticsLegend,
    studyColumns,
    textColumns,
} from './table.js';
import type { Column } from './table.js';
import { conditionsMarkdown } from './measurement-conditions.js';
import { summarySentences } from './summary.js';
import type { ReportInput } from './types.js';

const mdTable = (headers: readonly string[], rows: readonly (readonly string[])[]): string[] => [
    `| ${headers.map(escapeMd).join(' | ')} |`,
    `|${headers.map(() => '---').join('|')}|`,
    ...rows.map((r) => `| ${r.map(escapeMd).join(' | ')} |`),
];

const columnsTable = (a: SplitAnalysis, all: readonly Column[]): string[] => {
    const cols = textColumns(all);
    return mdTable(
        cols.map((c) => c.header),
        a.rows.map((r) => cols.map((c) => cellText(c, r))),
    );
};

const analysisSection = (a: SplitAnalysis): string[] => {
    const out: string[] = [`## ${escapeMd(analysisTitle(a))}`, ''];
    out.push(`- Model sha256: \`${a.model.sha256}\`, ${a.model.opCount} ops`);
    out.push(
        `- T_UE(full): ${a.fullUe === null ? 'unknown' : `${fmtStat(a.fullUe)} ms (${a.fullUe.source}, n=${a.fullUe.n}${withCaveat(a.fullUe)})`}`,
    );
    const reps = repetitionCaveat(a);
    if (reps !== undefined) out.push(`- **Caution: ${escapeMd(reps)}; run 3 or more repetitions.**`);
    if (a.estimatedFullUe !== null)
        out.push(`- UE profile total Σ t_UE(i) (base of estimated improvements): ${fmtStat(a.estimatedFullUe)} ms`);
    out.push(
        `- T_srv(full): ${a.fullServer === null ? 'unknown' : `${fmtStat(a.fullServer)} ms (${a.fullServer.source}, n=${a.fullServer.n}${withCaveat(a.fullServer)})`}`,
    );
    if (a.matching !== null) {
        const m = a.matching;
        const cov = (c: number | null): string => (c === null ? '?' : `${(100 * c).toFixed(1)} %`);
        out.push(
            `- Op matching: ${m.ue.device} by ${m.ue.method} (${m.ue.matchedOps} ops, rows cover ${cov(m.ue.coverage)} of inference), ` +
                `${m.server.device} by ${m.server.method} (${m.server.matchedOps} ops, ${cov(m.server.coverage)}); ${m.estimatedOps} ops in the estimate`,
        );
    }
    out.push(...summarySentences(a).map((l) => `- **${escapeMd(l)}**`));
    out.push('', '### Split table', '', ...columnsTable(a, studyColumns), '');
    out.push(...statisticsLegend(a).map((l) => `- ${escapeMd(l)}`), '');
    out.push('### Estimated vs measured', '', ...columnsTable(a, detailColumns), '');
    out.push(
        "- Error = estimated − measured, in ms and in % of the measured value; flagged only when the estimate lies outside the measurement's own 95 % interval.",
        '- Flags also mark measured heads or tails slower, beyond both intervals, than the full model or than a head or tail that runs more ops (never when either has one repetition: no interval).',
        '',
    );
    if (a.networks.length > 0) {
        out.push('### Network', '');
        out.push(
            ...mdTable(
                [
                    'Profile',
                    'Uplink (Mbit/s)',
                    'Downlink (Mbit/s)',
                    'RTT (ms)',
                    'Result returned',
                    'All on UE (ms)',
                    'All on server (ms)',
                    'Best',
                ],
                a.networks.map((n, i) => [
                    n.profile.name,
                    String(n.profile.uplinkMbps),
                    n.profile.downlinkMbps === undefined ? '' : String(n.profile.downlinkMbps),
                    String(n.profile.rttMs),
                    n.profile.includeResultReturn === true ? 'yes' : 'no',
                    fmtMs(n.allOnUeMs),
                    fmtMs(n.allOnServer?.endToEndMs ?? null),
                    bestText(a, i),
                ]),
            ),
            '',
        );
        out.push(
            ...mdTable(
                [
                    'Split',
                    'Bytes',
                    ...a.networks.flatMap((n) => [
                        `T_tx ${n.profile.name} (ms)`,
                        `E2E ${n.profile.name} (ms)`,
                        `Break-even UL ${n.profile.name} (Mbit/s)`,
                    ]),
                ],
                a.rows.map((r) => [
                    String(r.splitAfter),
                    fmtInt(r.cut.bytes),
                    ...r.network.flatMap((x) => [
                        fmtMs(x.transferMs),
                        fmtMs(x.endToEndMs),
                        fmtBreakEven(x.breakEvenUplinkMbps),
                    ]),
                ]),
            ),
            '',
        );
    }
    const notEst = a.rows.filter((r) => r.notEstimable !== undefined);
    if (notEst.length > 0) {
        out.push('### Not estimable', '');
        out.push(
            `Split points ${notEst.map((r) => r.splitAfter).join(', ')}: ${notEst[0]?.notEstimable?.reason ?? ''}. Hint: ${notEst[0]?.notEstimable?.hint ?? ''}.`,
            '',
        );
    }
    if (a.matching !== null && (a.matching.unmatchedRows.length > 0 || a.matching.missingOps.length > 0)) {
        out.push('### Unmatched', '');
        if (a.matching.unmatchedRows.length > 0)
            out.push(
                ...mdTable(
                    ['Device', 'Node', 'Type', 'Name', 'Avg (ms)', 'Reason'],
                    a.matching.unmatchedRows.map((u) => [
                        u.device,
                        u.nodeIndex === null ? '' : String(u.nodeIndex),
                        u.type,
                        u.name,
                        fmtMs(u.avgMs),
                        u.reason,
                    ]),
                ),
                '',
            );
        if (a.matching.missingOps.length > 0)
            out.push(
                ...mdTable(
                    ['Op', 'Type', 'No row on'],
                    a.matching.missingOps.map((o) => [String(o.index), o.type, o.missingOn.join(', ')]),
                ),
                '',
            );
    }
    if (a.warnings.length > 0) out.push('### Warnings', '', ...a.warnings.map((w) => `- ${escapeMd(w)}`), '');
    return out;
};

export const renderMarkdown = (input: ReportInput): string => {
    const r = input.run;
    const out: string[] = [`# splitbench report: run ${escapeMd(r.id)}`, ''];
    out.push(`- Campaign: ${escapeMd(r.campaign)}`);
    out.push(
        `- Started: ${r.startedAt}${r.finishedAt !== undefined ? `, finished: ${r.finishedAt}` : ''}${r.status !== undefined ? ` (${r.status})` : ''}`,
    );
    out.push(
        `- splitbench ${r.splitbenchVersion}${r.gitCommit !== undefined && r.gitCommit !== null ? `, git ${r.gitCommit}` : ''}`,
    );
    if (input.provenance !== undefined) out.push('', ...provenanceMarkdown(input.provenance).slice(0, -1));
    if (input.splitChecks !== undefined && input.splitChecks.length > 0)
        out.push('', ...splitChecksMarkdown(input.splitChecks).slice(0, -1));
    out.push('', '## Formulas', '', ...FORMULAS.map((f) => `- **${f.name}**: ${f.text}`), '');
    for (const a of input.analyses) out.push(...analysisSection(a));
    if (input.measurement !== undefined) out.push(...conditionsMarkdown(input.measurement));
    out.push('## Devices', '');
    for (const d of input.devices) {
        out.push(`### ${escapeMd(d.name)}${d.role !== undefined ? ` (${d.role})` : ''}`, '');
        out.push(
            ...(d.probe === null ? ['No probe recorded.'] : mdTable(['Fact', 'Value'], flattenSettings(d.probe))),
            '',
        );
    }
    out.push('## Settings', '');
    const s = flattenSettings(input.settings);
    out.push(...(s.length === 0 ? ['None recorded.'] : mdTable(['Setting', 'Value'], s)), '');
    return out.join('\n');
};
