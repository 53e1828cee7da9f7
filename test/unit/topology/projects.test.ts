/**
 * Projects (issue 14): the format, the model's project fields, each project's own default
 * group, and Neutron's ownership rules, each refused at its place with its code. Cases assert
 * codes and paths, not wording (beyond the did-you-mean and the owners a message must name).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatPath, type Issue } from '../../../src/topology/issue.js';
import { buildGraph } from '../../../src/topology/graph.js';
import { cloudToJson } from '../../../src/topology/to-json.js';
import { loaded, refused } from './load-helpers.js';

const at = (issues: readonly Issue[]): [string, string][] => issues.map((i) => [i.code, formatPath(i.path)]);

/** Two projects on the same 10.0.0.0/24, each behind its own router; `extra` is appended under the given top-level keys. */
const base = (extra: { networks?: string; routers?: string; groups?: string; instances?: string; fips?: string; external?: string; acls?: string; lbs?: string } = {}) => `version: 1
projects: { alpha: { description: web shop }, beta: {} }
external_networks:
  public: { cidr: 203.0.113.0/24, gateway: 203.0.113.1, pool: 203.0.113.10-203.0.113.200${extra.external ?? ''} }
networks:
  a-net: { project: alpha, subnets: { a-sub: { cidr: 10.0.0.0/24 } } }
  b-net: { project: beta, subnets: { b-sub: { cidr: 10.0.0.0/24 } } }
${extra.networks ?? ''}
routers:
  a-router: { project: alpha, external_gateway: { network: public }, interfaces: [a-sub] }
  b-router: { project: beta, external_gateway: { network: public }, interfaces: [b-sub] }
${extra.routers ?? ''}
security_groups:
  a-web: { project: alpha, rules: [{ direction: ingress, protocol: tcp, ports: 80 }] }
  b-web: { project: beta, rules: [{ direction: ingress, protocol: tcp, ports: 80 }] }
${extra.groups ?? ''}
instances:
  a-vm1: { project: alpha, ports: [{ subnet: a-sub, security_groups: [a-web] }] }
  b-vm1: { project: beta, ports: [{ subnet: b-sub, security_groups: [b-web] }] }
${extra.instances ?? ''}
floating_ips:
  a-fip: { project: alpha, network: public, port: a-vm1 }
${extra.fips ?? ''}
${extra.acls ? `network_acls:\n${extra.acls}` : ''}
${extra.lbs ? `load_balancers:\n${extra.lbs}` : ''}
`;

describe('the format and the model', () => {
  it('two projects on the same CIDR load; every resource and port carries its project', () => {
    const { cloud, warnings } = loaded(base());
    expect([...cloud.projects.values()]).toEqual([{ name: 'admin', description: '' }, { name: 'alpha', description: 'web shop' }, { name: 'beta', description: '' }]);
    expect(cloud.networks.get('a-net')!.project).toBe('alpha');
    expect(cloud.subnets.get('b-sub')!.project).toBe('beta');
    expect(cloud.ports.get('a-vm1/eth0')!.project).toBe('alpha');
    expect(cloud.ports.get('b-router/qr-b-sub')!.project).toBe('beta');
    expect(cloud.ports.get('b-router/qg-public')!.project).toBe('beta');
    expect(cloud.routers.get('b-router')!.project).toBe('beta');
    expect(cloud.floatingIps.get('a-fip')!.project).toBe('alpha');
    expect(cloud.externalNetworks.get('public')!.project).toBe('admin');
    // The same address in two address spaces: both ports have 10.0.0.2.
    expect(cloud.ports.get('a-vm1/eth0')!.fixedIps[0]!.address.text).toBe('10.0.0.2');
    expect(cloud.ports.get('b-vm1/eth0')!.fixedIps[0]!.address.text).toBe('10.0.0.2');
    expect(warnings.filter((w) => w.code !== 'unused-group')).toEqual([]);
  });

  it('each project has its own default group (default@PROJECT, admin\'s stays default), and default on a port is its own project\'s', () => {
    const { cloud } = loaded(base({ instances: '  b-vm2: { project: beta, ports: [b-sub] }\n  a-vm2: { project: alpha, ports: [{ subnet: a-sub, security_groups: [default] }] }' }));
    expect([...cloud.securityGroups.values()].filter((g) => g.implicit).map((g) => [g.name, g.project])).toEqual([['default', 'admin'], ['default@alpha', 'alpha'], ['default@beta', 'beta']]);
    expect(cloud.ports.get('b-vm2/eth0')!.securityGroups).toEqual(['default@beta']);
    expect(cloud.ports.get('a-vm2/eth0')!.securityGroups).toEqual(['default@alpha']);
    // Neutron's rules: ingress only from members of that project's default group.
    expect(cloud.securityGroups.get('default@beta')!.rules.filter((r) => r.direction === 'ingress').map((r) => r.remoteGroup)).toEqual(['default@beta', 'default@beta']);
  });

  it('a file may write a project\'s default group as default@PROJECT; remote_group default in it is that project\'s', () => {
    const { cloud } = loaded(base({ groups: '  default@beta: { rules: [{ direction: ingress, protocol: tcp, ports: 22, remote_group: default }] }', instances: '  b-vm2: { project: beta, ports: [b-sub] }' }));
    const g = cloud.securityGroups.get('default@beta')!;
    expect([g.project, g.implicit]).toEqual(['beta', false]);
    expect(g.rules.map((r) => r.remoteGroup)).toEqual([null, null, 'default@beta']);
    expect(cloud.ports.get('b-vm2/eth0')!.securityGroups).toEqual(['default@beta']);
  });

  it('the bundled two-project.yaml loads clean, with beta ports on the shared and the granted network', () => {
    const { cloud, warnings } = loaded(readFileSync('topologies/two-project.yaml', 'utf8'));
    expect(warnings).toEqual([]);
    expect(cloud.ports.get('b-etl/eth0')!).toMatchObject({ project: 'beta', network: 'ops', securityGroups: ['default@beta'] });
    expect(cloud.ports.get('b-cache/eth0')!).toMatchObject({ project: 'beta', network: 'tools' });
    expect(cloud.networks.get('ops')!.rbac).toEqual([{ project: 'beta', action: 'access_as_shared' }]);
    expect(cloud.networks.get('tools')!).toMatchObject({ project: 'admin', shared: true });
  });

  it('show --json and the graph carry projects', () => {
    const { cloud } = loaded(base());
    const json = cloudToJson(cloud);
    expect(json.projects.map((p) => p.name)).toEqual(['admin', 'alpha', 'beta']);
    expect(json.instances.map((i) => [i.name, i.project])).toEqual([['a-vm1', 'alpha'], ['b-vm1', 'beta']]);
    expect(json.networks.map((n) => [n.name, n.project, n.shared])).toEqual([['a-net', 'alpha', false], ['b-net', 'beta', false]]);
    const g = buildGraph(cloud);
    expect(g.getNodeAttribute('instance:b-vm1', 'project')).toBe('beta');
    expect(g.getNodeAttribute('router:a-router', 'project')).toBe('alpha');
    expect(g.getNodeAttribute('network:b-net', 'project')).toBe('beta');
    expect(g.getNodeAttribute('external:public', 'project')).toBe('admin');
  });
});

describe('unknown projects and misplaced rbac', () => {
  it('an unknown project is refused at its place, with did-you-mean', () => {
    const issues = refused(base({ networks: '  x-net: { project: alpah, subnets: { x-sub: { cidr: 10.1.0.0/24 } } }', external: ', rbac: [{ project: gamma, action: access_as_external }]' }));
    expect(at(issues)).toEqual([['unknown-project', 'external_networks.public.rbac[0].project'], ['unknown-project', 'networks.x-net.project']]);
    expect(issues[1]!.message).toContain('did you mean "alpha"');
  });

  it('without projects:, a project name is unknown and the message says where to declare it', () => {
    const issues = refused('version: 1\nnetworks:\n  n: { project: zeta, subnets: { s: { cidr: 10.0.0.0/24 } } }\n');
    expect(at(issues)).toEqual([['unknown-project', 'networks.n.project']]);
    expect(issues[0]!.message).toContain('projects:');
  });

  it('rbac actions that do not fit the network, and misnamed default groups, are refused', () => {
    const issues = refused(base({
      networks: '  x-net: { project: alpha, rbac: [{ project: beta, action: access_as_external }], subnets: { x-sub: { cidr: 10.1.0.0/24 } } }',
      external: ', rbac: [{ project: beta, action: access_as_shared }]',
      groups: '  default: { project: beta }\n  default@admin: {}\n  default@alpha: { project: beta }\n  default@gamma: {}',
    }));
    // Issues come in file order.
    expect(at(issues)).toEqual([
      ['rbac-action', 'external_networks.public.rbac[0].action'],
      ['rbac-action', 'networks.x-net.rbac[0].action'],
      ['project-default-group', 'security_groups.default.project'],
      ['project-default-group', 'security_groups.default@admin'],
      ['project-default-group', 'security_groups.default@alpha.project'],
      ['unknown-project', 'security_groups.default@gamma'],
    ]);
  });
});

describe('ownership (Neutron)', () => {
  it('a port attaches only to its project\'s network, a shared one, or one granted to its project', () => {
    const issues = refused(base({
      networks: '  shared-net: { project: alpha, shared: true, subnets: { sh-sub: { cidr: 10.7.0.0/24 } } }\n' +
        '  granted: { project: alpha, rbac: [{ project: beta, action: access_as_shared }], subnets: { g-sub: { cidr: 10.8.0.0/24 } } }\n' +
        '  other: { project: alpha, rbac: [{ project: admin, action: access_as_shared }], subnets: { o-sub: { cidr: 10.6.0.0/24 } } }',
      instances: '  b-ok1: { project: beta, ports: [sh-sub] }\n  b-ok2: { project: beta, ports: [g-sub] }\n  b-bad1: { project: beta, ports: [a-sub] }\n  b-bad2: { project: beta, ports: [{ subnet: o-sub }] }\n  b-bad3: { project: beta, ports: [{ fixed_ips: [{ subnet: a-sub, ip: 10.0.0.77 }] }] }',
    }));
    expect(at(issues)).toEqual([
      ['project-network', 'instances.b-bad1.ports[0]'],
      ['project-network', 'instances.b-bad2.ports[0].subnet'],
      ['project-network', 'instances.b-bad3.ports[0].fixed_ips[0]'],
    ]);
    expect(issues[0]!.message).toMatch(/network a-net belongs to project alpha and instance b-bad1 to project beta/);
  });

  it('a router interface likewise; the gateway needs an external network the router\'s project may use', () => {
    const issues = refused(base({
      routers: '  x-router: { project: beta, interfaces: [{ subnet: a-sub, ip: 10.0.0.50 }] }\n  y-router: { project: beta, external_gateway: { network: public } }',
      external: ', rbac: [{ project: alpha, action: access_as_external }]',
    }));
    expect(at(issues)).toEqual([
      ['project-external', 'routers.b-router.external_gateway.network'],
      ['project-network', 'routers.x-router.interfaces[0].subnet'],
      ['project-external', 'routers.y-router.external_gateway.network'],
    ]);
  });

  it('access_as_external: the projects named and admin may use the network; without an entry, everyone', () => {
    const ok = base({ external: ', rbac: [{ project: alpha, action: access_as_external }, { project: beta, action: access_as_external }]', routers: '  adm-router: { external_gateway: { network: public } }' });
    expect(loaded(ok).cloud.externalNetworks.get('public')!.rbac.map((e) => e.project)).toEqual(['alpha', 'beta']);
    expect(at(refused(base({ external: ', rbac: [{ project: alpha, action: access_as_external }]', fips: '  b-fip: { project: beta, network: public, port: b-vm1 }' }))))
      .toEqual([['project-external', 'routers.b-router.external_gateway.network'], ['project-external', 'floating_ips.b-fip.network']]);
  });

  it('a port uses only groups of its own project, and a rule\'s remote group likewise', () => {
    const issues = refused(base({
      groups: '  a-db: { project: alpha, rules: [{ direction: ingress, protocol: tcp, ports: 5432, remote_group: b-web }, { direction: ingress, remote_group: default@beta }] }',
      instances: '  a-vm2: { project: alpha, ports: [{ subnet: a-sub, security_groups: [a-web, b-web, default@beta] }] }',
    }));
    expect(at(issues)).toEqual([
      ['project-group', 'security_groups.a-db.rules[0].remote_group'],
      ['project-group', 'security_groups.a-db.rules[1].remote_group'],
      ['project-group', 'instances.a-vm2.ports[0].security_groups[1]'],
      ['project-group', 'instances.a-vm2.ports[0].security_groups[2]'],
    ]);
  });

  it('a floating IP maps only a port (or load balancer, or forwarding target) of its own project', () => {
    const issues = refused(base({
      fips: '  x-fip: { project: alpha, network: public, port: b-vm1 }\n  y-fip: { project: beta, network: public, load_balancer: a-lb }\n  z-fip: { project: beta, network: public, port_forwardings: [{ protocol: tcp, external_port: 80, internal_port: 80, internal_ip: 10.0.0.2 }] }',
      lbs: '  a-lb: { project: alpha, subnet: a-sub, listeners: [{ protocol: tcp, port: 80, pool: p }], pools: { p: { members: [a-vm1] } } }',
    }));
    // z-fip is beta's: its 10.0.0.2 is b-vm1 (beta's), not a-vm1 (alpha's, the same address), so it loads.
    expect(at(issues)).toEqual([['project-fip', 'floating_ips.x-fip.port'], ['project-fip', 'floating_ips.y-fip.load_balancer']]);
    const ok = loaded(base({ fips: '  z-fip: { project: beta, network: public, port_forwardings: [{ protocol: tcp, external_port: 80, internal_port: 80, internal_ip: 10.0.0.2 }] }' }));
    expect(ok.cloud.floatingIps.get('z-fip')!.router).toBe('b-router');
  });

  it('a load balancer\'s VIP network and groups, and an ACL\'s subnets, follow the same rules', () => {
    const issues = refused(base({
      lbs: '  b-lb: { project: beta, subnet: a-sub, security_groups: [a-web], listeners: [{ protocol: tcp, port: 80, pool: p }], pools: { p: { members: [b-vm1] } } }',
      acls: '  b-acl: { project: beta, subnets: [a-sub, b-sub] }',
    }));
    expect(at(issues)).toEqual([
      ['project-acl', 'network_acls.b-acl.subnets[0]'],
      ['project-network', 'load_balancers.b-lb.subnet'],
      ['project-group', 'load_balancers.b-lb.security_groups[0]'],
    ]);
  });

  it('one router cannot join overlapping subnets, whoever owns them; different routers can', () => {
    const shared = '  a-net2: { project: alpha, shared: true, subnets: { a2: { cidr: 10.0.0.0/25 } } }';
    const issues = refused(base({ networks: shared, routers: '  b-router2: { project: beta, interfaces: [{ subnet: b-sub, ip: 10.0.0.50 }, { subnet: a2, ip: 10.0.0.100 }] }' }));
    expect(at(issues)).toEqual([['router-overlap', 'routers.b-router2.interfaces[1]']]);
  });

  it('an instance whose ports have overlapping subnets is a warning (its routing is ambiguous)', () => {
    const { warnings } = loaded(base({ networks: '  sh: { shared: true, subnets: { sh-sub: { cidr: 10.0.0.0/16 } } }', instances: '  bastion: { project: beta, ports: [b-sub, { subnet: sh-sub, ip: 10.0.0.200 }] }' }));
    expect(at(warnings.filter((w) => w.code === 'instance-overlap'))).toEqual([['instance-overlap', 'instances.bastion.ports[1]']]);
  });
});
