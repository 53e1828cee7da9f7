/**
 * Reads what scripts/tempest.sh prints: tempest's per-test lines
 * (`{worker} id [time] ... ok|FAILED|SKIPPED[: reason]`, or `setUpClass (class) ... FAILED` when a
 * class fails before its tests) and the Totals block, so the tempest e2e test can name the tests
 * that failed instead of only an exit status.
 */

export type TempestStatus = 'ok' | 'FAILED' | 'SKIPPED';

export interface TempestResult {
  readonly id: string;
  readonly status: TempestStatus;
}

export interface TempestTotals {
  readonly ran: number;
  readonly passed: number;
  readonly skipped: number;
  readonly failed: number;
}

export interface TempestOutput {
  readonly results: readonly TempestResult[];
  /** Null when tempest printed no Totals block (it did not get to run, or was stopped). */
  readonly totals: TempestTotals | null;
}

const RESULT = /^\{\d+\} (?:setUpClass \(([\w.]+)\)|([\w.]+)(?:\[[^\]]*\])?(?: \[[\d.]+s\])?) \.\.\. (ok|FAILED|SKIPPED)\b/;
const COUNT = (label: string) => new RegExp(`^(?: - )?${label}: (\\d+)`, 'm');

/** The per-test results and the totals in the text tempest.sh printed; other lines are ignored. */
export function parseTempestOutput(text: string): TempestOutput {
  const results: TempestResult[] = [];
  for (const line of text.split('\n')) {
    const m = RESULT.exec(line);
    if (m) results.push({ id: m[1] ?? m[2]!, status: m[3] as TempestStatus });
  }
  const at = text.search(/^Totals$/m);
  let totals: TempestTotals | null = null;
  if (at >= 0) {
    const block = text.slice(at);
    const n = (label: string) => Number(COUNT(label).exec(block)?.[1] ?? NaN);
    totals = { ran: n('Ran'), passed: n('Passed'), skipped: n('Skipped'), failed: n('Failed') };
    if (Object.values(totals).some(Number.isNaN)) totals = null;
  }
  return { results, totals };
}

/** The test class an id names (`tempest.api.network.test_ports.PortsTestJSON.test_x` → `…PortsTestJSON`). */
export function classOf(id: string): string {
  const parts = id.split('.');
  return /^test_/.test(parts.at(-1) ?? '') ? parts.slice(0, -1).join('.') : id;
}
