/**
 * The first pass: the file's projects (admin always exists) and every `project:` and rbac
 * entry checked against them, so later passes ask ctx.projectOf() and get a known project, or
 * null for one already reported. Also the keys of per-project default groups (default@PROJECT).
 */
import { suggestion } from '../../../../../src/topology/did-you-mean.js';
import type { Path } from '../../../../../src/topology/issue.js';
import type { RbacEntry } from '../../../../../src/topology/model.js';
import { ADMIN_PROJECT, externalUsableBy, groupKeyFor, networkUsableBy } from '../../../../../src/topology/projects.js';
import { entries, type OwnedCollection, type ResolveContext } from './resolve-context.js';
import { PROJECT_DEFAULT_GROUP, type RbacDoc } from '../../../../../src/topology/schema.js';

const OWNED: readonly OwnedCollection[] = ['networks', 'routers', 'security_groups', 'network_acls', 'instances', 'floating_ips', 'load_balancers'];

export function resolveProjects(ctx: ResolveContext): void {
  const { doc, issues } = ctx;
  ctx.projects.set(ADMIN_PROJECT, { name: ADMIN_PROJECT, description: doc.projects?.[ADMIN_PROJECT]?.description ?? '' });
  for (const [name, p] of entries(doc.projects)) if (name !== ADMIN_PROJECT) ctx.projects.set(name, { name, description: p.description ?? '' });
  const names = [...ctx.projects.keys()];
  const known = (project: string, path: Path): boolean => {
    if (ctx.projects.has(project)) return true;
    const hint = suggestion(project, names) || (doc.projects?.[project] === undefined && names.length === 1 ? ' (declare it under projects:)' : '');
    issues.error(path, 'unknown-project', `no project named "${project}"${hint}`);
    return false;
  };
  for (const collection of OWNED) {
    for (const [name, r] of entries<{ project?: string | undefined }>(doc[collection])) {
      if (r.project !== undefined) ctx.owners.set(`${collection}/${name}`, known(r.project, [collection, name, 'project']) ? r.project : null);
    }
  }
  for (const [key, g] of entries(doc.security_groups)) {
    const path: Path = ['security_groups', key];
    const m = PROJECT_DEFAULT_GROUP.exec(key);
    if (key === 'default' && g.project !== undefined && g.project !== ADMIN_PROJECT) {
      issues.error([...path, 'project'], 'project-default-group', `the group default is project admin's default group; project ${g.project}'s own is written default@${g.project}`);
      ctx.owners.set(`security_groups/${key}`, null);
    }
    if (!m) continue;
    const owner = m[1]!;
    if (owner === ADMIN_PROJECT) {
      issues.error(path, 'project-default-group', 'project admin\'s default group is written default');
      ctx.owners.set(`security_groups/${key}`, null);
    } else if (!known(owner, path)) {
      ctx.owners.set(`security_groups/${key}`, null);
    } else if (g.project !== undefined && g.project !== owner) {
      issues.error([...path, 'project'], 'project-default-group', `${key} is project ${owner}'s default group, not project ${g.project}'s`);
      ctx.owners.set(`security_groups/${key}`, null);
    } else {
      ctx.owners.set(`security_groups/${key}`, owner);
    }
  }
  for (const [name, net] of entries(doc.networks)) ctx.rbac.set(`networks/${name}`, rbacAt(ctx, net.rbac, ['networks', name, 'rbac'], 'access_as_shared', known));
  for (const [name, net] of entries(doc.external_networks)) ctx.rbac.set(`external_networks/${name}`, rbacAt(ctx, net.rbac, ['external_networks', name, 'rbac'], 'access_as_external', known));
}

/** The valid entries; an action that does not fit the kind of network is refused at its place. */
function rbacAt(ctx: ResolveContext, docs: RbacDoc[] | undefined, path: Path, fits: RbacEntry['action'], known: (p: string, path: Path) => boolean): RbacEntry[] {
  const out: RbacEntry[] = [];
  (docs ?? []).forEach((e, i) => {
    if (e.action !== fits) {
      const why = fits === 'access_as_shared'
        ? 'access_as_external makes a network external in Neutron; declare it under external_networks'
        : 'vnet attaches no ports to an external network (only router gateways and floating IPs, which access_as_external governs)';
      ctx.issues.error([...path, i, 'action'], 'rbac-action', `${e.action} does not apply here: ${why}`);
      return;
    }
    if (!known(e.project, [...path, i, 'project'])) return;
    out.push({ project: e.project, action: e.action });
  });
  return out;
}

/**
 * Neutron's rule for a port or a router interface: its network is its project's, shared, or
 * granted to its project by an rbac entry. Refused at `path`, naming who owns what.
 */
export function checkAttach(ctx: ResolveContext, project: string | null, network: string, path: Path, who: string): void {
  const net = ctx.networks.get(network);
  if (project === null || !net || net.project === null || net.project === project || networkUsableBy({ ...net, project: net.project }, project)) return;
  ctx.issues.error(path, 'project-network',
    `network ${net.name} belongs to project ${net.project} and ${who} to project ${project}: a port attaches only to a network of its own project, ` +
    `a shared network (shared: true) or one an rbac entry grants to its project (access_as_shared)`);
}

/** A router gateway's or a floating IP's external network must be usable by its project (access_as_external). */
export function checkExternal(ctx: ResolveContext, project: string | null, network: string, path: Path, who: string): void {
  const ext = ctx.externals.get(network);
  if (project === null || !ext || externalUsableBy(ext, project)) return;
  const allowed = ext.rbac.filter((e) => e.action === 'access_as_external').map((e) => e.project);
  ctx.issues.error(path, 'project-external',
    `external network ${network} is restricted by access_as_external to project${allowed.length === 1 ? '' : 's'} ${allowed.join(', ')} (and admin, its owner); ${who} belongs to project ${project}`);
}

/**
 * A port's (or a rule's remote) group references, as model keys: `default` is the referrer's
 * project's own default group, and a named group must be of the referrer's project. `path` and
 * `who` may be given as functions, called only for an issue (a large cloud has 100,000s of references).
 */
export function groupRefs(ctx: ResolveContext, refs: readonly string[], project: string | null, path: Path | (() => Path), who: string | (() => string), key?: string): string[] {
  return refs.map((g, j) => {
    const ref = groupKeyFor(g, project ?? ADMIN_PROJECT);
    if (g === 'default') return ref;
    // Built only for an issue: a large cloud has 100,000s of references and no issues.
    const at = (): Path => { const p = typeof path === 'function' ? path() : path; return key === undefined ? [...p, j] : [...p, key]; };
    const declared = () => Object.keys(ctx.doc.security_groups ?? {});
    const implicitOf = PROJECT_DEFAULT_GROUP.exec(g)?.[1];
    if (ctx.doc.security_groups?.[g] === undefined && !(implicitOf !== undefined && implicitOf !== ADMIN_PROJECT && ctx.projects.has(implicitOf))) {
      ctx.issues.error(at(), 'unknown-group', `no security group named "${g}"${suggestion(g, declared())}`);
      return ref;
    }
    const owner = ctx.doc.security_groups?.[g] === undefined ? implicitOf! : ctx.projectOf('security_groups', g);
    if (project !== null && owner !== null && owner !== project) {
      ctx.issues.error(at(), 'project-group', `security group ${g} belongs to project ${owner} and ${typeof who === 'function' ? who() : who} to project ${project}: a port uses only groups of its own project, and a rule's remote_group likewise`);
    }
    return ref;
  });
}
