// `npm run bench`: runs every benchmark and prints its figures. Figures are compared with a
// baseline measured in the same run, since absolute numbers move with the machine's load.
import { benchEngine } from './engine.bench.js';
import { benchEngineOld } from './engine-old.bench.js';
import { benchFirewall } from './firewall.bench.js';
import { benchFirewallOld } from './firewall-old.bench.js';
import { benchIpam } from './ipam.bench.js';
import { benchLarge } from './large.bench.js';
import { benchLoad } from './load.bench.js';
import { benchServer } from './server.bench.js';
import { benchStartup } from './startup.bench.js';
import { benchViewer } from './viewer.bench.js';

const suites: [string, () => Promise<Record<string, number | string>>][] = [['ipam', benchIpam], ['engine', benchEngine], ['firewall', benchFirewall], ['load', benchLoad], ['startup', benchStartup], ['server', benchServer], ['viewer', benchViewer], ['large', benchLarge], ['engine-old', benchEngineOld], ['firewall-old', benchFirewallOld]];
/**
 * Only when asked for: minutes of whole-process runs on 100,000 instances (`npm run bench --
 * large`), and the engine and the firewall matchers against an older checkout
 * (`VNET_BENCH_OLD_SRC=… npm run bench -- engine-old` or `firewall-old`).
 */
const ON_REQUEST = new Set(['large', 'engine-old', 'firewall-old']);
const only = process.argv[2];
for (const [name, run] of suites) {
  if (only ? name !== only : ON_REQUEST.has(name)) continue;
  const figures = await run();
  console.log(`\n== ${name}`);
  for (const [k, v] of Object.entries(figures)) console.log(`${k.padEnd(48)} ${typeof v === 'number' ? v.toLocaleString('en-US', { maximumFractionDigits: 2 }) : v}`);
}
