/**
 * The `vnet` command: argument parsing (commander) and dispatch to one module per command.
 * Each command's module is imported only when that command runs (scripts/build.mjs makes each
 * a chunk of its own), so `vnet --version` or `vnet validate` do not load the server, the
 * realization or the simulator. Bad input ends with a message and exit code 1, never a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { processIo } from './io.js';
import type { ApiOptions } from './api.js';
import type { AuditOptions } from './audit.js';
import type { ConformOptions } from './conform.js';
import type { RealizeOptions } from './realize.js';
import type { ServeOptions } from './serve.js';
import type { TestOptions } from './test.js';
import type { TraceOptions } from './trace.js';

const io = processIo();
const program = new Command('vnet')
  .description('A packet-level emulator of a cloud\'s virtual network that explains every hop')
  .version('0.1.0')
  .exitOverride()
  .showHelpAfterError('(run vnet --help for usage)')
  .addHelpText('after', '\nDocumentation: docs/ in the vnet package and repository (topology.md, trace-json.md, websocket.md,\nprobes.md, library.md, realize.md).');

program.command('validate')
  .description('check topology files; exit 0 with a summary, or 1 with every error')
  .argument('<file...>', 'topology files (YAML or JSON; format: docs/topology.md)')
  .action(async (files: string[]) => { const { runValidate } = await import('./validate.js'); process.exitCode = runValidate(files, io); });

program.command('show')
  .description('print the resolved cloud: subnets, ports with MACs and addresses, routers, groups')
  .argument('<file>', 'topology file (YAML or JSON)')
  .option('--json', 'print the resolved cloud as JSON')
  .action(async (file: string, opts: { json?: boolean }) => { const { runShow } = await import('./show.js'); process.exitCode = runShow(file, opts, io); });

program.command('trace')
  .description('send a probe from A to B and explain every hop and the verdict')
  .argument('<file>', 'topology file (YAML or JSON)')
  .requiredOption('--from <name|ip>', 'the sender: an instance or external host (name or address)')
  .requiredOption('--to <name|ip>', 'the destination: an instance, external host, LB, floating IP or any address')
  .option('--proto <proto>', 'tcp, udp or icmp (default icmp, or tcp when --port is given)')
  .option('--port <n>', 'destination port for tcp and udp')
  .option('--count <n>', 'send N probes one after another in one simulation', '1')
  .option('--ipv6', "use the destination's IPv6 address when it is named")
  .option('--level <level>', 'detailed (every event), summary (one line per hop) or minimal (only decisions and rewrites)', 'detailed')
  .option('--explain <which>', 'first: stop at the first blocker (default); all: lift each blocker and list every one on the path')
  .option('--json', 'print the verdict and events as JSON (docs/trace-json.md)')
  .option('--pcap <file>', 'also write every frame of the probe(s), as it went on each wire, to a pcap file (Wireshark, tcpdump)')
  .option('--expect <verdict>', 'exit 1 unless every probe ends so: delivered, refused, dropped, unreachable or expired')
  .action(async (file: string, opts: TraceOptions) => { const { runTrace } = await import('./trace.js'); process.exitCode = runTrace(file, opts, io); });

program.command('test')
  .description('run a tests file: each probe against its expect (and observed_src), each intent over the whole matrix (docs/intents.md); exit 0 all hold, 1 a mismatch, 2 invalid input')
  .argument('<topology>', 'topology file (YAML or JSON)')
  .argument('<tests>', 'tests file: probes with expect and intents (YAML or JSON, docs/probes.md, docs/intents.md)')
  .option('--reporter <format>', 'text, json, junit (JUnit XML for CI) or tap', 'text')
  .action(async (topology: string, tests: string, opts: TestOptions) => { const { runTest } = await import('./test.js'); process.exitCode = runTest(topology, tests, opts, io); });

program.command('audit')
  .description('find redundant, unused and risky security rules; exit 0 clean, 1 on warnings, 2 on an invalid file')
  .argument('<file>', 'topology file (YAML or JSON)')
  .option('--json', 'print { findings, hits?, probes?, summary } as JSON')
  .option('--probes <file>', 'probes file (YAML or JSON, docs/probes.md): count how often each rule allows traffic')
  .action(async (file: string, opts: AuditOptions) => { const { runAudit } = await import('./audit.js'); process.exitCode = runAudit(file, opts, io); });

program.command('serve')
  .description('serve the live viewer and the WebSocket stream of traces (docs/websocket.md)')
  .argument('<file>', 'topology file (YAML or JSON)')
  .option('--host <host>', 'address to bind (loopback unless --token is given)', '127.0.0.1')
  .option('--port <n>', 'port to listen on (0: any free port)', '8080')
  .option('--token <secret>', 'require ?token=SECRET from clients (needed to bind beyond loopback)')
  .option('--watch', 'reload the topology when the file changes (an invalid edit keeps the last good one)')
  .action(async (file: string, opts: ServeOptions) => { const { runServe } = await import('./serve.js'); process.exitCode = await runServe(file, opts, io); });

program.command('api')
  .description('serve Keystone v3, Neutron v2.0, Octavia v2 and a little Nova/Glance over HTTP for the openstack CLI and SDK, and the live viewer at /viewer/')
  .argument('[file]', 'starting topology file (YAML or JSON); default: an empty cloud')
  .option('--host <host>', 'address to bind (loopback only)', '127.0.0.1')
  .option('--port <n>', 'port to listen on (0: any free port)', '8774')
  .option('--save <file>', 'rewrite this topology file (atomically) after every successful change')
  .option('--users <file>', 'users, passwords, projects and roles (YAML: users: [{ name, password, project, role }])')
  .action(async (file: string | undefined, opts: ApiOptions) => { const { runApi } = await import('./api.js'); process.exitCode = await runApi(file, opts, io); });

program.command('reach')
  .description('the reachability matrix: every source against every service of every destination')
  .argument('<file>', 'topology file (YAML or JSON)')
  .option('--from <name>', 'only this source')
  .option('--to <name>', 'only this destination')
  .option('--project <name>', 'only sources in this project')
  .option('--hits', 'count, per security-group rule, the matrix probes it allowed (rules nothing uses show 0)')
  .option('--failing', 'only the flows that do not work (not delivered, or no reply)')
  .option('--matrix', 'sources × destinations as one grid (● all services work, ◐ some, · none)')
  .option('--json', 'print the matrix as JSON')
  .action(async (file: string, opts: { json?: boolean; from?: string; to?: string; project?: string; hits?: boolean; failing?: boolean; matrix?: boolean }) => { const { runReach } = await import('./reach.js'); process.exitCode = runReach(file, opts, io); });

program.command('realize')
  .description('build the cloud in Linux network namespaces (root), remove it, or print the commands')
  .argument('<file>', 'topology file (YAML or JSON)')
  .option('--script', 'print the shell script that builds it, for review')
  .option('--up', 'build it: namespaces, bridges, veths, addresses, routes, nftables, listeners')
  .option('--down', 'remove every namespace of the prefix and what runs inside (idempotent)')
  .option('--prefix <p>', 'prefix of every name it creates (default: vn + a hash of the cloud name)')
  .action(async (file: string, opts: RealizeOptions) => { const { runRealize } = await import('./realize.js'); process.exitCode = await runRealize(file, opts, io); });

program.command('conform')
  .description('realize the cloud (root), run each probe for real and in vnet, and compare; exit 1 on an unexplained difference (docs/realize.md)')
  .argument('<file>', 'topology file (YAML or JSON)')
  .option('--probes <file>', 'probes file (YAML or JSON, docs/probes.md); default: every sender to every service, floating IPs, load balancers')
  .option('--json', 'print the rows, the summary and the timings as JSON')
  .option('--prefix <p>', 'prefix of every name it creates (default: vn + a hash of the cloud name)')
  .option('--keep', 'leave the realization up afterwards, to look around (remove it with vnet realize FILE --down)')
  .action(async (file: string, opts: ConformOptions) => { const { runConform } = await import('./conform.js'); process.exitCode = await runConform(file, opts, io); });

program.parseAsync(process.argv).catch((e: unknown) => {
  if (e instanceof CommanderError) {
    process.exitCode = e.exitCode === 0 ? 0 : 1;
  } else {
    io.err(`vnet: internal error: ${(e as Error).message}`);
    process.exitCode = 1;
  }
});
