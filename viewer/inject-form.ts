/**
 * The form that injects a probe (`inject {from, to, proto, port, count}`). Its suggestions come
 * from the topology: senders are instances and external hosts; destinations also floating IPs
 * and load balancers. Free text is allowed too (an address), as `vnet trace` takes it. The
 * first external host and the first floating IP (else the first instances) are prefilled.
 */
import { el } from './dom.js';
import type { TopologyPayload } from './types.js';

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
  load(t: TopologyPayload): void {
    const cloud = t.cloud;
    const option = (value: string, label: string) => el('option', { value }, label);
    const senders = [...cloud.external_hosts.map((h) => option(h.name, `external host ${h.ip}`)), ...cloud.instances.map((i) => option(i.name, 'instance'))];
    const targets = [
      ...cloud.floating_ips.map((f) => option(f.name, `floating IP ${f.ip}`)),
      ...cloud.load_balancers.map((l) => option(l.name, `load balancer ${l.vip}`)),
      ...cloud.instances.map((i) => option(i.name, 'instance')),
      ...cloud.external_hosts.map((h) => option(h.name, `external host ${h.ip}`)),
    ];
    this.c.senders.replaceChildren(...senders);
    this.c.targets.replaceChildren(...targets);
    const known = (input: HTMLInputElement, list: readonly HTMLOptionElement[]) => list.some((o) => o.value === input.value);
    if (!known(this.c.from, senders)) this.c.from.value = senders[0]?.value ?? '';
    if (!known(this.c.to, targets)) this.c.to.value = cloud.floating_ips[0]?.name ?? cloud.instances[1]?.name ?? targets[0]?.value ?? '';
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
