/**
 * Projects (Neutron's tenants): who owns what, and who may use whose network. One place for
 * the rules the loader enforces and the engine will read: a tenant network is usable by its
 * own project, by every project when shared, and by the projects an rbac entry grants
 * (access_as_shared); an external network by every project unless an access_as_external entry
 * restricts it. Each project has its own `default` security group, keyed `default@PROJECT`
 * (admin's stays `default`, so files without projects keep their model).
 */

/** The project that owns what names none, and every external network and external host. */
export const ADMIN_PROJECT = 'admin';

export type RbacAction = 'access_as_shared' | 'access_as_external';

export interface RbacEntry {
  readonly project: string;
  readonly action: RbacAction;
}

/** The model key of a project's default security group. */
export function defaultGroupKey(project: string): string {
  return project === ADMIN_PROJECT ? 'default' : `default@${project}`;
}

/** What a group reference means for a resource of `project`: `default` is its own project's. */
export function groupKeyFor(ref: string, project: string): string {
  return ref === 'default' ? defaultGroupKey(project) : ref;
}

/** May `project` attach a port or a router interface to this tenant network? */
export function networkUsableBy(net: { readonly project: string; readonly shared: boolean; readonly rbac: readonly RbacEntry[] }, project: string): boolean {
  return net.project === project || net.shared || net.rbac.some((e) => e.action === 'access_as_shared' && e.project === project);
}

/** May `project` put a router gateway or a floating IP on this external network? */
export function externalUsableBy(net: { readonly project: string; readonly rbac: readonly RbacEntry[] }, project: string): boolean {
  const restricted = net.rbac.filter((e) => e.action === 'access_as_external');
  return net.project === project || restricted.length === 0 || restricted.some((e) => e.project === project);
}
