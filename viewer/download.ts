/**
 * Trace export from the page: the selected probe as JSON (its verdict and the events the page
 * holds, in the shape of `vnet trace --json`), made client-side as a Blob; and the link to the
 * server's pcap of the same probe.
 */
import type { ProbeRecord } from './trace-store.js';

export function probeJson(r: ProbeRecord): string {
  const v = r.verdict;
  const { event_count: _count, ...verdict } = v?.verdict ?? { event_count: 0 };
  return `${JSON.stringify({ probe: v?.probe ?? { id: r.id }, ...verdict, events: r.events }, null, 2)}\n`;
}

export function downloadText(name: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** `/api/trace/<probe>.pcap`, with the page's token. */
export function pcapHref(probe: number, search: string): string {
  return `/api/trace/${probe}.pcap${search}`;
}
