/**
 * `vnet validate FILE...`: exit 0 with a one-line summary per file, or exit 1 with every
 * problem on stderr (file:line:col path: message).
 */
import { formatIssue } from '../topology/issue.js';
import type { Cloud } from '../topology/model.js';
import { loadTopologyFile } from '../files/read-topology.js';
import type { Io } from './io.js';

export function runValidate(files: readonly string[], io: Io): number {
  let failed = false;
  for (const file of files) {
    const result = loadTopologyFile(file);
    if (!result.ok) {
      failed = true;
      const errors = result.issues.filter((i) => i.severity === 'error');
      for (const issue of result.issues) io.err(io.errStyle.red('error: ') + formatIssue(issue));
      io.err(`${file}: ${errors.length} error${errors.length === 1 ? '' : 's'}`);
      continue;
    }
    for (const w of result.warnings) io.err(io.errStyle.yellow('warning: ') + formatIssue(w).replace(': warning: ', ': '));
    io.out(`${file}: ${io.outStyle.green('ok')} (${summary(result.cloud)})${result.warnings.length ? `, ${result.warnings.length} warning${result.warnings.length === 1 ? '' : 's'}` : ''}`);
  }
  return failed ? 1 : 0;
}

export function summary(cloud: Cloud): string {
  const count = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
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
