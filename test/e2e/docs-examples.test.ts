/**
 * The examples of docs/ run, so they cannot rot: library.md's code blocks are run as written
 * (with `vnet`, `vnet/testing` and `vnet/vitest` mapped to their sources) and print
 * what their comments say; trace-json.md's example is what `vnet trace --json` prints; the
 * WebSocket client of websocket.md gets its verdict from a real server; the probes file of
 * probes.md loads and gives the verdicts the page states, and its tests file holds.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { parseProbes } from '../../src/audit/probes.js';
import { checkOutcome, intentFailure, renderReport } from '../../src/cli/test-report.js';
import { checkIntents } from '../../src/intents/check.js';
import { parseIntents } from '../../src/intents/intents.js';
import { loadTopology, PIPELINE, Simulator } from '../../src/index.js';
import { startServer, type RunningServer } from '../../src/server/server.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const doc = (name: string) => readFileSync(join(root, 'docs', name), 'utf8');
/** The fenced blocks of a page in one language. */
const blocks = (text: string, lang: string) => [...text.matchAll(new RegExp(`^\`\`\`${lang}\\n([\\s\\S]*?)^\`\`\`$`, 'gm'))].map((m) => m[1]!);

function threeTier() {
  const loaded = loadTopology(join(root, 'topologies/three-tier.yaml'));
  if (!loaded.ok) throw new Error('three-tier does not load');
  return loaded.cloud;
}

describe('docs/library.md', () => {
  const code = blocks(doc('library.md'), 'ts');
  const src = (p: string) => pathToFileURL(join(root, p)).href;
  const tmp = mkdtempSync(join(root, 'test/e2e/.docs-examples-'));
  afterEach(() => { vi.restoreAllMocks(); });
  afterAll(() => { rmSync(tmp, { recursive: true, force: true }); });

  it('has the three examples (load and probe, a property, generated clouds)', () => {
    expect(code.length).toBeGreaterThanOrEqual(4);
  });

  it.each(code.map((c, i) => [i, c] as const))('code block %i runs and prints what its comments say', async (i, text) => {
    const runnable = text.replace(/from 'vnet\/testing'/g, `from '${src('src/testing/index.ts')}'`).replace(/from 'vnet\/vitest'/g, `from '${src('src/testing/vitest.ts')}'`).replace(/from 'vnet'/g, `from '${src('src/index.ts')}'`);
    const file = join(tmp, `block-${i}.ts`);
    writeFileSync(file, runnable);
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => { printed.push(args.map(String).join(' ')); });
    try {
      await import(pathToFileURL(file).href);
    } finally {
      rmSync(file);
    }
    // `console.log(...);   // what it prints`
    const promised = [...text.matchAll(/^console\.log\(.*\);\s*\/\/ (.*)$/gm)].map((m) => m[1]!);
    if (promised.length > 0) expect(printed).toEqual(promised);
    else if (/console\.log/.test(text)) expect(printed.length).toBeGreaterThan(0);
  }, 60_000);
});

describe('docs/trace-json.md', () => {
  const text = doc('trace-json.md');
  const example = JSON.parse(blocks(text, 'json')[0]!) as Record<string, unknown> & { events: unknown[] };
  const real = JSON.parse(execFileSync(process.execPath, [join(root, 'dist/vnet.cjs'), 'trace', 'topologies/three-tier.yaml', '--from', 'web-1', '--to', 'db-1', '--proto', 'tcp', '--port', '5432', '--json'], { cwd: root, encoding: 'utf8' })) as Record<string, unknown> & { events: unknown[] };

  it('shows what vnet trace --json prints: every field, the first event, the event count', () => {
    const { events: shown, ...fields } = example;
    const { events, ...actual } = real;
    expect(fields).toEqual(actual);
    expect(Object.keys(example)).toEqual(Object.keys(real));
    expect(shown[0]).toEqual(events[0]);
    expect(text).toContain(`prints (${events.length} events, the first shown)`);
  });

  it('lists every stage id of the pipeline, and the pipeline of each node kind in order', () => {
    const stages = new Set([...Object.values(PIPELINE).flat(), 'drop']);
    for (const s of stages) expect(text, s).toMatch(new RegExp(`^\\| \`${s.replace('.', '\\.')}\` \\|`, 'm'));
    for (const list of Object.values(PIPELINE)) expect(text).toContain(`| ${list.map((s) => `\`${s}\``).join(', ')} |`);
  });
});

describe('docs/websocket.md', () => {
  let server: RunningServer | undefined;
  afterEach(async () => { await server?.close(); server = undefined; });

  it('the client example gets the verdict the page shows', async () => {
    const text = doc('websocket.md');
    const client = blocks(text, 'js')[0]!;
    server = await startServer({ cloud: threeTier(), port: 0, log: () => undefined });
    const code = client.replace('ws://127.0.0.1:8080/ws', `${server.url.replace('http', 'ws')}ws`);
    expect(code).not.toBe(client);
    const out = await new Promise<string>((resolve, reject) => {
      // The server runs in this process: the client must run in another, asynchronously.
      import('node:child_process').then(({ execFile }) => execFile(process.execPath, ['--input-type=module', '-e', code], { cwd: root, timeout: 20_000 }, (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout))), reject);
    });
    expect(out.trim()).toBe('delivered - listening on tcp/5432');
    expect(text).toContain('prints `delivered - listening on tcp/5432`');
  });
});

describe('docs/probes.md', () => {
  it('the example probes file loads against three-tier and gives the verdicts the page states', () => {
    const text = doc('probes.md');
    const file = blocks(text, 'yaml')[0]!;
    const cloud = threeTier();
    const parsed = parseProbes(file, cloud, 'probes.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const sim = new Simulator(cloud);
    const verdicts = parsed.probes.map((p) => sim.probe(p.spec));
    expect(verdicts.map((v) => v.verdict)).toEqual(['delivered', 'delivered', 'dropped', 'dropped', 'dropped']);
    expect(verdicts[4]!.drop?.stage).toBe('port.security');
    expect(text).toContain(`(${verdicts.map((v) => `\`${v.verdict}\``).join(', ')}:`);
  });

  it('the error example is what a bad probe gets', () => {
    const text = doc('probes.md');
    const shown = /^error: probes\.yaml:(\d+):(\d+) (\S+): (.*)$/m.exec(text)!;
    const parsed = parseProbes('probes:\n  - { from: web-1, to: db-1, proto: tcpp, port: 5432 }\n', threeTier(), 'probes.yaml');
    expect(parsed.ok).toBe(false);
    const issue = !parsed.ok ? parsed.issues[0]! : undefined;
    expect([issue?.line, issue?.col, issue?.code]).toEqual([Number(shown[1]), Number(shown[2]), 'enum']);
    expect(issue?.message).toBe(shown[4]);
  });
  it('the tests file of vnet test holds against three-tier, and its mismatch example is what vnet test prints', () => {
    const text = doc('probes.md');
    const cloud = threeTier();
    const parsed = parseProbes(blocks(text, 'yaml')[1]!, cloud, 'network-tests.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const sim = new Simulator(cloud);
    expect(parsed.probes.map((p) => checkOutcome(p, sim.probe(p.spec)))).toEqual([null, null, null, null]);
    const redis = parseProbes('probes:\n  - { name: redis open to web, from: web-1, to: db-1, port: 6379, expect: delivered }\n', cloud);
    if (!redis.ok) throw new Error('redis probe');
    const outcome = { name: 'redis open to web', probe: redis.probes[0]!, verdict: new Simulator(cloud).probe(redis.probes[0]!.spec) };
    const shown = /^```\n(FAIL {2}redis open to web\n.*)\n```$/m.exec(text)![1];
    expect(renderReport('text', 't', [{ ...outcome, failure: checkOutcome(outcome.probe, outcome.verdict) }]).split('\n').slice(0, 2).join('\n')).toBe(shown);
  });
});

describe('docs/intents.md', () => {
  const text = doc('intents.md');

  it("the tests file holds against examples/cloud.yaml with the counts the page shows", () => {
    const loaded = loadTopology(join(root, 'examples/cloud.yaml'));
    if (!loaded.ok) throw new Error('examples/cloud.yaml does not load');
    const parsed = parseIntents(blocks(text, 'yaml')[0]!, loaded.cloud, 'network-tests.yaml');
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const lines = checkIntents(loaded.cloud, parsed.intents).map((r) => `${r.pass ? 'ok' : 'FAIL'}    ${r.intent.name} (${r.probes} probes for ${r.pairs} pairs)`);
    const shown = /^\$ npx vnet test examples\/cloud\.yaml examples\/network-tests\.yaml\n([\s\S]*?)\n```$/m.exec(text)![1]!.split('\n').filter((l) => l.includes('probes for'));
    expect(lines).toEqual(shown);
  });

  it('the violated intent prints what the page shows', () => {
    const cloud = threeTier();
    const parsed = parseIntents("intents:\n  - { name: ssh closed to the internet, from: internet, to: 'web-*-fip', port: 22, expect: isolated }\n", cloud);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.issues));
    const [r] = checkIntents(cloud, parsed.intents);
    const shown = /^```\n(FAIL {2}ssh closed to the internet\n[\s\S]*?)\n```$/m.exec(text)![1];
    expect(`FAIL  ${r!.intent.name}\n${intentFailure(r!)!.split('\n').map((l) => `      ${l}`).join('\n')}`).toBe(shown);
  });
});
