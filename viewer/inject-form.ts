/**
 * The form that injects a probe (`inject {from, to, proto, port, count}`). Its suggestions come
 * from the topology: senders are instances and external hosts; destinations also floating IPs
 * and load balancers. Free text is allowed too (an address), as `vnet trace` takes it. The
 * first external host and the first floating IP (else the first instances) are prefilled.
 */
import { el } from './dom.js';
import type { Topology } from './topology.js';
import type { CompactTopology } from './types.js';

/** Instances offered in the suggestions (a larger cloud's others are typed, or found by search). */
const MAX_SUGGESTED = 300;

export interface ProbeRequest {
  readonly from: string;
  readonly to: string;
  readonly proto: 'tcp' | 'udp' | 'icmp';
  readonly port?: number;
  readonly count?: number;
}

export interface InjectControls {
  readonly form: HTMLFormElement;
  readonly from: HTMLInputElement;
  readonly to: HTMLInputElement;
  readonly proto: HTMLSelectElement;
  readonly port: HTMLInputElement;
  readonly count: HTMLInputElement;
  readonly senders: HTMLDataListElement;
  readonly targets: HTMLDataListElement;
  readonly message: HTMLElement;
}

export class InjectForm {
  constructor(private readonly c: InjectControls, submit: (p: ProbeRequest) => string | undefined) {
    c.proto.addEventListener('change', () => this.syncPort());
    c.form.addEventListener('submit', (e) => {
      e.preventDefault();
      const request = this.read();
      if (typeof request === 'string') return this.say(request, true);
      const problem = submit(request);
      this.say(problem ?? `sent: ${request.from} → ${request.to} ${request.proto}${request.port ? `/${request.port}` : ''}`, problem !== undefined);
    });
  }

  /** Suggestions and defaults from a (new) topology. */
  load(compact: CompactTopology, t: Topology): void {
    const ep = compact.endpoints;
    const option = (value: string, label: string) => el('option', { value }, label);
    const instances = t.nodes.filter((n) => n.kind === 'instance').slice(0, MAX_SUGGESTED).map((n) => option(n.name, `instance ${n.label}`));
    const senders = [...ep.external_hosts.map(([name, ip]) => option(name, `external host ${ip}`)), ...instances];
    const targets = [
      ...ep.floating_ips.map(([name, ip]) => option(name, `floating IP ${ip}`)),
      ...ep.load_balancers.map(([name, vip]) => option(name, `load balancer ${vip}`)),
      ...instances.map((o) => o.cloneNode(true) as HTMLOptionElement),
      ...ep.external_hosts.map(([name, ip]) => option(name, `external host ${ip}`)),
    ];
    this.c.senders.replaceChildren(...senders);
    this.c.targets.replaceChildren(...targets);
    const known = (input: HTMLInputElement, list: readonly HTMLOptionElement[]) => list.some((o) => o.value === input.value);
    if (!known(this.c.from, senders)) this.c.from.value = senders[0]?.value ?? '';
    if (!known(this.c.to, targets)) this.c.to.value = ep.floating_ips[0]?.[0] ?? instances[1]?.value ?? targets[0]?.value ?? '';
    this.syncPort();
  }

  /** ICMP has no ports: the field goes (its value is kept for when TCP or UDP comes back). */
  private syncPort(): void {
    const icmp = this.c.proto.value === 'icmp';
    this.c.port.disabled = icmp;
    const label = this.c.port.closest('label');
    if (label) label.hidden = icmp;
    if (!icmp && this.c.port.value === '') this.c.port.value = '80';
  }

  private read(): ProbeRequest | string {
    const from = this.c.from.value.trim();
    const to = this.c.to.value.trim();
    if (from === '') return 'from: name a sender (an instance, an external host or an address)';
    if (to === '') return 'to: name a destination (an instance, host, floating IP, load balancer or address)';
    const proto = this.c.proto.value as ProbeRequest['proto'];
    const count = Number(this.c.count.value || '1');
    if (!Number.isInteger(count) || count < 1 || count > 10_000) return `count: expected a whole number 1-10000, got ${this.c.count.value}`;
    if (proto === 'icmp') return { from, to, proto, ...(count > 1 ? { count } : {}) };
    const port = Number(this.c.port.value);
    if (!Number.isInteger(port) || port < 1 || port > 65535) return `port: expected a whole number 1-65535, got ${this.c.port.value || 'nothing'}`;
    return { from, to, proto, port, ...(count > 1 ? { count } : {}) };
  }

  /** A line under the form: what was sent, or what is wrong (the server's errors too). */
  say(text: string, error = false): void {
    this.c.message.textContent = text;
    this.c.message.classList.toggle('error', error);
  }
}
