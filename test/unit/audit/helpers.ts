/**
 * Small clouds for the audit tests, written as YAML in the test: `cloudOf` loads one (and fails
 * the test with every issue if it does not load); `groupsCloud` wraps security groups and the
 * instances using them in a one-subnet network.
 */
import { formatIssue } from '../../../src/topology/issue.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { Cloud } from '../../../src/topology/model.js';
import type { Finding, FindingKind } from '../../../src/audit/findings.js';

export function cloudOf(yaml: string): Cloud {
  const r = parseTopology(yaml, 'test.yaml');
  if (!r.ok) throw new Error(`the test topology does not load:\n${r.issues.map(formatIssue).join('\n')}`);
  return r.cloud;
}

/** `groups` and `instances` are YAML blocks indented by two spaces (map entries). */
export function groupsYaml(groups: string, instances: string, extra = ''): string {
  return `version: 1
name: t
networks:
  lan:
    subnets:
      lan-v4: { cidr: 10.0.0.0/24 }
security_groups:
${groups}
instances:
${instances}
${extra}`;
}

export const groupsCloud = (groups: string, instances: string, extra = ''): Cloud => cloudOf(groupsYaml(groups, instances, extra));

/** The findings of one kind, as `group#rule path` strings, which read well in failures. */
export const brief = (findings: readonly Finding[], kind?: FindingKind): string[] =>
  findings.filter((f) => kind === undefined || f.kind === kind).map((f) => `${f.severity} ${f.group ?? ''}#${f.rule ?? ''} ${f.path.join('.')}`);
