/**
 * One call, `handle(request) → response`, for every service this server speaks: Keystone under
 * /v3 (and its version list at /), Neutron under /network, Octavia under /load-balancer, Nova
 * under /compute, Glance under /image, and /api/topology.yaml (the current
 * state as a topology file). Every request but version discovery and token creation needs a
 * valid X-Auth-Token. An unexpected exception becomes a 500 with Neutron's body, never a crash.
 */
import { Identity, identityVersions } from './identity.js';
import { neutronError, NeutronApi } from './neutron/api.js';
import { octaviaError, OctaviaApi } from './octavia.js';
import { ComputeApi, glanceError, imageApi, novaError } from './compute.js';
import type { Store } from './store.js';
import { ApiError, json, type ApiRequest, type ApiResponse } from './types.js';

export class ApiApp {
  private readonly neutron: NeutronApi;
  private readonly octavia: OctaviaApi;
  private readonly compute: ComputeApi;

  constructor(readonly store: Store, readonly identity: Identity, private readonly log: (line: string) => void = () => {}) {
    this.neutron = new NeutronApi(store);
    this.octavia = new OctaviaApi(store);
    this.compute = new ComputeApi(store);
  }

  handle(req: ApiRequest): ApiResponse {
    try {
      return this.route(req);
    } catch (e) {
      if (e instanceof ApiError) return errorFor(req.path, e);
      this.log(`vnet api: internal error on ${req.method} ${req.path}: ${(e as Error).message}`);
      return errorFor(req.path, new ApiError(500, 'InternalServerError', 'Request Failed: internal server error while processing your request.'));
    }
  }

  private route(req: ApiRequest): ApiResponse {
    const { path } = req;
    if (path === '/' || path === '') return identityVersions(req.base);
    if (path === '/v3' || path.startsWith('/v3/')) {
      const out = this.identity.handle(req, path.slice(3));
      if (!out) throw new ApiError(404, 'NotFound', `The resource could not be found: ${path}`);
      return out;
    }
    const token = this.identity.check(req.headers['x-auth-token']);
    if (path === '/network' || path.startsWith('/network/')) return this.neutron.handle(req, path.slice('/network'.length), token);
    if (path === '/load-balancer' || path.startsWith('/load-balancer/')) return this.octavia.handle(req, path.slice('/load-balancer'.length), token);
    if (path === '/compute' || path.startsWith('/compute/')) return this.compute.handle(req, path.slice('/compute'.length), token);
    if (path === '/image' || path.startsWith('/image/')) return imageApi(req, path.slice('/image'.length));
    if (path === '/api/topology.yaml' && req.method === 'GET') return { status: 200, headers: { 'Content-Type': 'application/yaml; charset=utf-8' }, text: this.store.text() };
    throw new ApiError(404, 'NotFound', `The resource could not be found: ${path}`);
  }
}

/** Each service's own error body: Keystone's, Octavia's (WSME), Nova's, Glance's (plain text), else Neutron's. */
function errorFor(path: string, e: ApiError): ApiResponse {
  if (path.startsWith('/v3') || path === '/') return keystoneError(e);
  if (path.startsWith('/load-balancer')) return octaviaError(e);
  if (path.startsWith('/compute')) return novaError(e);
  if (path.startsWith('/image')) return glanceError(e);
  return neutronError(e);
}

function keystoneError(e: ApiError): ApiResponse {
  return json(e.status, { error: { code: e.status, title: e.type, message: e.message } });
}
