/**
 * `vnet validate FILE...`: exit 0 with a one-line summary per file, or exit 1 with its problems
 * on stderr (file:line:col path: message), the first MAX_ISSUES of them and a count of the rest.
 */
import { formatIssue } from '../topology/issue.js';
import { MAX_ISSUES } from '../topology/load.js';
import type { Cloud } from '../topology/model.js';
import { loadTopologyFile } from '../files/read-topology.js';
import type { Io } from './io.js';

export function runValidate(files: readonly string[], io: Io): number {
  let failed = false;
  for (const file of files) {
    const result = loadTopologyFile(file);
    if (!result.ok) {
      failed = true;
      const errors = result.issues.filter((i) => i.severity === 'error').length + (result.omitted?.errors ?? 0);
      for (const issue of result.issues) io.err(io.errStyle.red('error: ') + formatIssue(issue));
      const more = (result.omitted?.errors ?? 0) + (result.omitted?.warnings ?? 0);
      if (more > 0) io.err(`… and ${count(more, 'more issue')} (only the first ${MAX_ISSUES} are listed)`);
      io.err(`${file}: ${count(errors, 'error')}`);
      continue;
    }
    for (const w of result.warnings.slice(0, MAX_ISSUES)) io.err(io.errStyle.yellow('warning: ') + formatIssue(w).replace(': warning: ', ': '));
    if (result.warnings.length > MAX_ISSUES) io.err(`… and ${count(result.warnings.length - MAX_ISSUES, 'more warning')} (only the first ${MAX_ISSUES} are listed)`);
    io.out(`${file}: ${io.outStyle.green('ok')} (${summary(result.cloud)})${result.warnings.length ? `, ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}` : ''}`);
  }
  return failed ? 1 : 0;
}

const count = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export function summary(cloud: Cloud): string {
  return [
    count(cloud.networks.size, 'network'),
    count(cloud.subnets.size, 'subnet'),
    count(cloud.instances.size, 'instance'),
    count(cloud.ports.size, 'port'),
    count(cloud.routers.size, 'router'),
    count([...cloud.securityGroups.values()].filter((g) => !g.implicit).length, 'security group'),
    count(cloud.floatingIps.size, 'floating IP'),
    count(cloud.loadBalancers.size, 'load balancer'),
  ].join(', ');
}
