/**
 * The reader of scripts/tempest.sh's output (tempest-output.ts), on lines copied from a real run
 * and on generated runs: whatever tempest prints around them, every result line is read with its
 * id and status and the totals with their counts. Runs everywhere (no tempest needed).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { classOf, parseTempestOutput, type TempestResult, type TempestStatus } from './tempest-output.js';

// From a run of scripts/tempest.sh --regex test_versions against vnet api (tempest 33).
const REAL = `{0} setUpClass (tempest.api.compute.test_versions.TestVersions) ... SKIPPED: Nova is not available
{0} tempest.api.network.test_versions.NetworksApiDiscovery.test_api_version_resources [0.051196s] ... ok
{1} tempest.api.network.test_ports.PortsTestJSON.test_port_list_filter_by_ip[id-e7fe260b-1e79-4dd3-86d9-bec6a7959fc5] [1.2s] ... FAILED
{0} setUpClass (tempest.api.network.test_tags.TagsTest) ... FAILED
======
Totals
======
Ran: 4 tests in 0.3183 sec.
 - Passed: 1
 - Skipped: 1
 - Expected Fail: 0
 - Unexpected Success: 0
 - Failed: 2
Sum of execute time for each test: 0.0724 sec.
`;

describe('parseTempestOutput', () => {
  it('reads test lines, class set-up lines (with and without attributes) and the totals of a real run', () => {
    expect(parseTempestOutput(REAL)).toEqual({
      results: [
        { id: 'tempest.api.compute.test_versions.TestVersions', status: 'SKIPPED' },
        { id: 'tempest.api.network.test_versions.NetworksApiDiscovery.test_api_version_resources', status: 'ok' },
        { id: 'tempest.api.network.test_ports.PortsTestJSON.test_port_list_filter_by_ip', status: 'FAILED' },
        { id: 'tempest.api.network.test_tags.TagsTest', status: 'FAILED' },
      ],
      totals: { ran: 4, passed: 1, skipped: 1, failed: 2 },
    });
  });

  it('has no totals when tempest did not get to print them (stopped, or not started)', () => {
    expect(parseTempestOutput('tempest.sh: tempest is not installed\n')).toEqual({ results: [], totals: null });
    expect(parseTempestOutput(REAL.slice(0, REAL.indexOf(' - Failed')))).toMatchObject({ totals: null });
  });

  it('names the class of a test id, and leaves a class id (set-up failure) as it is', () => {
    expect(classOf('tempest.api.network.test_ports.PortsTestJSON.test_show_port')).toBe('tempest.api.network.test_ports.PortsTestJSON');
    expect(classOf('tempest.api.network.test_tags.TagsTest')).toBe('tempest.api.network.test_tags.TagsTest');
  });

  const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,11}$/);
  const klass = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,11}$/);
  const result = fc.record({
    module: fc.array(word, { minLength: 1, maxLength: 3 }),
    klass,
    test: fc.option(word.map((w) => `test_${w}`), { nil: undefined }), // undefined: a setUpClass line
    status: fc.constantFrom<TempestStatus>('ok', 'FAILED', 'SKIPPED'),
    worker: fc.nat(9),
    attrs: fc.option(fc.stringMatching(/^id-[0-9a-f-]{1,12}(,smoke|,negative)?$/), { nil: undefined }),
    time: fc.option(fc.nat(100_000_000).map((us) => (us / 1e6).toFixed(6)), { nil: undefined }),
    reason: fc.option(fc.stringMatching(/^[ -~]{0,30}$/), { nil: undefined }),
  });
  // Lines tempest and the script print between results: tracebacks, captured logs, separators.
  const noise = fc.oneof(
    fc.stringMatching(/^[ -~]{0,60}$/).filter((s) => !s.startsWith('{') && !/^(Totals|Ran|Passed|Skipped|Failed)/.test(s.trimStart().replace(/^- /, ''))),
    fc.constant('    raise exceptions.NotFound(body) ... FAILED'),
    fc.constant('Traceback (most recent call last):'),
  );

  it('reads every generated result line, in order, whatever noise surrounds it, and the totals (property, 300 runs)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(result, fc.array(noise, { maxLength: 2 })), { maxLength: 25 }), fc.nat(500), (rows, skipped) => {
        const expected: TempestResult[] = [];
        const lines: string[] = [];
        for (const [r, around] of rows) {
          const cls = ['tempest', ...r.module, r.klass].join('.');
          const id = r.test === undefined ? cls : `${cls}.${r.test}`;
          const tail = `... ${r.status}${r.status === 'SKIPPED' && r.reason !== undefined ? `: ${r.reason}` : ''}`;
          lines.push(r.test === undefined
            ? `{${r.worker}} setUpClass (${cls}) ${tail}`
            : `{${r.worker}} ${id}${r.attrs === undefined ? '' : `[${r.attrs}]`}${r.time === undefined ? '' : ` [${r.time}s]`} ${tail}`);
          lines.push(...around);
          expected.push({ id, status: r.status });
        }
        const count = (s: string) => expected.filter((e) => e.status === s).length;
        lines.push('======', 'Totals', '======', `Ran: ${expected.length} tests in 1.5 sec.`, ` - Passed: ${count('ok')}`, ` - Skipped: ${skipped}`, ' - Expected Fail: 0', ' - Unexpected Success: 0', ` - Failed: ${count('FAILED')}`);
        const parsed = parseTempestOutput(lines.join('\n'));
        expect(parsed.results).toEqual(expected);
        expect(parsed.totals).toEqual({ ran: expected.length, passed: count('ok'), skipped, failed: count('FAILED') });
      }),
      { numRuns: 300 },
    );
  });
});
