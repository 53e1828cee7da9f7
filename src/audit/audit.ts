/**
 * `auditCloud`: every static check of a resolved cloud's security configuration, one module
 * per check, findings in a stable order (by kind, then file order). Pure: the same cloud
 * always gives the same findings. Hit counts over probes (hits.ts) come on top in the CLI.
 */
import type { Cloud } from '../topology/model.js';
import { findUnreachableAclRules } from './acl-shadowing.js';
import { sortFindings, type Finding } from './findings.js';
import { findBlockedHealthChecks } from './lb-health.js';
import { findOpenToWorld } from './open-to-world.js';
import { findRedundantRules } from './redundant-rules.js';
import { findEmptyRemoteGroups } from './remote-groups.js';
import { findUnusedGroups } from './unused.js';

export function auditCloud(cloud: Cloud): Finding[] {
  return sortFindings([
    ...findOpenToWorld(cloud),
    ...findRedundantRules(cloud),
    ...findEmptyRemoteGroups(cloud),
    ...findUnusedGroups(cloud),
    ...findUnreachableAclRules(cloud),
    ...findBlockedHealthChecks(cloud),
  ]);
}
