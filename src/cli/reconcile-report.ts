import type { ImportSummary } from '../reconciliation/domain/import-summary';

/**
 * The per-line sections of the CLI's summary (docs/reconciliation.md promises lines by number): rejected lines,
 * held-back lines, and codings in systems the service does not know. Line numbers, reasons and system URIs only;
 * never line content or a patient id. At most SHOWN of each; the counts are exact.
 */
const SHOWN = 50;

const section = <T>(title: string, items: readonly T[], total: number, describe: (item: T) => string): string[] => {
  const shown = items.slice(0, SHOWN);
  if (shown.length === 0) {
    return [];
  }
  const more = total > shown.length ? [`  … and ${total - shown.length} more`] : [];
  return ['', title, ...shown.map((item) => `  ${describe(item)}`), ...more];
};

export const lineSections = (summary: ImportSummary): string[] => [
  ...section(
    'Rejected lines (nothing of these was applied):',
    summary.rejected,
    summary.linesRejected,
    (r) => `line ${r.line}: ${r.reason}${r.resourceType === undefined ? '' : ` (${r.resourceType})`}`,
  ),
  ...section(
    'Held-back lines (valid, not applied: their patient was held back):',
    summary.heldBack,
    summary.linesHeldBack,
    (r) => `line ${r.line}: ${r.reason}`,
  ),
  ...section(
    'Codings in unknown systems (kept as they came, never compared):',
    summary.unknownCodings,
    summary.codingsUnknown,
    (c) => `line ${c.line}: ${c.system}`,
  ),
];
