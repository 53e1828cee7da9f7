/**
 * `auditCloud`: every static check of a resolved cloud's security configuration, one module
 * per check, findings in a stable order (by kind, then file order). Pure: the same cloud
 * always gives the same findings. Hit counts over probes (hits.ts) come on top in the CLI.
 * Each finding names the project that owns what it is about, so reports group by project.
 */
import type { Cloud } from '../topology/model.js';
import { findUnreachableAclRules } from './acl-shadowing.js';
import { sortFindings, type Finding } from './findings.js';
import { findBlockedHealthChecks } from './lb-health.js';
import { findOpenToWorld } from './open-to-world.js';
import { findRedundantRules } from './redundant-rules.js';
import { findEmptyRemoteGroups } from './remote-groups.js';
import { findUnusedGroups } from './unused.js';
import { findOverlapAccidents } from './project-overlap.js';
import { ADMIN_PROJECT } from '../topology/projects.js';

export function auditCloud(cloud: Cloud): Finding[] {
  return sortFindings([
    ...findOpenToWorld(cloud),
    ...findRedundantRules(cloud),
    ...findEmptyRemoteGroups(cloud),
    ...findUnusedGroups(cloud),
    ...findUnreachableAclRules(cloud),
    ...findBlockedHealthChecks(cloud),
    ...findOverlapAccidents(cloud),
  ].map((f) => withProject(cloud, f)));
}

/** The finding with the project of its group, network ACL or load balancer (admin otherwise). */
export function withProject(cloud: Cloud, f: Finding): Finding {
  if (f.project !== undefined) return f;
  const [section, name] = f.path;
  const owner = f.group !== undefined ? cloud.securityGroups.get(f.group)
    : typeof name !== 'string' ? undefined
    : section === 'network_acls' ? cloud.networkAcls.get(name)
    : section === 'load_balancers' ? cloud.loadBalancers.get(name)
    : undefined;
  return { ...f, project: owner?.project ?? ADMIN_PROJECT };
}
