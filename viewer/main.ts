/**
 * The viewer page of `vnet serve`: wires the stream (socket.ts) to the graph (graph-view.ts),
 * the packet animation, the event table, the probe verdicts, the side panel (event detail or
 * node state) and the inject form. Every viewer of a server sees the same stream; a `hello`
 * (connect, reset, reload) starts the page over.
 */
import { PacketAnimator } from './animation.js';
import { Playback } from './playback.js';
import { byId, el, setOptions } from './dom.js';
import { downloadText, pcapHref, probeJson } from './download.js';
import { eventDetail } from './event-detail.js';
import { EventList, shortNode } from './event-list.js';
import { GraphView } from './graph-view.js';
import { InjectForm } from './inject-form.js';
import { probeLabel, ProbeList } from './probe-list.js';
import { StreamClient, type ConnectionState } from './socket.js';
import { detailsView, stateView } from './state-panel.js';
import { KIND_ORDER, KIND_STYLE, projectColor } from './theme.js';
import { TraceStore } from './trace-store.js';
import { CLUSTER_ABOVE, expandCompact, searchNodes, type Topology } from './topology.js';
import type { CompactTopology, NodeKind, TraceEvent } from './types.js';

const store = new TraceStore();
let topology: CompactTopology | undefined;
let topo: Topology | undefined;
let firstPaint: number | undefined;
let helloAt: number | undefined;
/** The nodes the playing probe has reached so far (highlighted), and that probe. */
const pathNodes = new Set<string>();
let pathProbe: number | null = null;
let selectedProbe: number | null = null;
/** The node whose state the side panel shows (refreshed after each verdict), or null. */
let inspected: string | null = null;
let paused = false;
let injections = 0;

const details = byId('details');
const detailsTitle = byId('details-title');
const notice = byId('notice');

function showDetails(title: string, content: HTMLElement): void {
  detailsTitle.textContent = title;
  details.replaceChildren(content);
}

let noticeTimer: ReturnType<typeof setTimeout> | undefined;

/** A notice over the page (click to close); information goes by itself after a few seconds, errors stay. */
function say(text: string, kind: 'info' | 'error' = 'info'): void {
  notice.hidden = false;
  notice.className = `notice ${kind}`;
  notice.textContent = text;
  clearTimeout(noticeTimer);
  if (kind === 'info') noticeTimer = setTimeout(() => { notice.hidden = true; }, 6000);
}

const graph = new GraphView(byId('graph'), (node) => inspect(node), byId<HTMLCanvasElement>('regions'));
const playButton = byId<HTMLButtonElement>('play');
const position = byId('playback-position');
/** The next animation frame, or a timer when the browser holds frames back (a tab in the background). */
function nextFrame(callback: () => void): void {
  let called = false;
  const once = () => {
    if (called) return;
    called = true;
    callback();
  };
  requestAnimationFrame(once);
  setTimeout(once, 100);
}
const playback = new Playback({ now: () => performance.now(), frame: nextFrame }, {
  reveal: (e) => {
    if (e.probe !== pathProbe) startPath(e.probe);
    // On a clustered cloud, flooded copies (an ARP request every instance ignores) stay in their cluster.
    if (onPath(e)) {
      graph.ensure(e.node);
      pathNodes.add(e.node);
      graph.highlight(pathNodes);
    }
    events.reveal(e);
  },
  hide: (e) => events.hide(e),
  current: (e) => {
    events.current(e);
    // Stepping by hand: the side panel follows with the frame's packet view.
    if (e !== null && !playback.playing) showEvent(e);
  },
  finished: (id) => probes.settle(id),
  unfinished: (id) => probes.unsettle(id),
  changed: () => {
    animator.draw();
    const p = playback.position;
    position.textContent = p.probe === null ? '' : `#${p.probe} · step ${p.at}/${p.of}${p.done ? ' · done' : ''}`;
    playButton.textContent = playback.playing ? '❚❚ Pause' : '▶ Play';
  },
}, (a, b) => graph.adjacent(a, b));
const animator = new PacketAnimator(graph, byId<HTMLCanvasElement>('packets'), playback);
const events = new EventList(store, byId<HTMLTableSectionElement>('events'), {
  proto: byId<HTMLSelectElement>('filter-proto'),
  node: byId<HTMLSelectElement>('filter-node'),
  verdict: byId<HTMLSelectElement>('filter-verdict'),
  probe: byId<HTMLSelectElement>('filter-probe'),
  background: byId<HTMLInputElement>('filter-background'),
}, byId('event-count'), (e) => {
  inspected = null;
  showEvent(e);
}, (e) => playback.revealed(e));

/** Whether an event's node belongs to its probe's path: the verdict's path and drop, or, before the verdict, any event but a flooded copy. */
function onPath(e: TraceEvent): boolean {
  if (graph.size <= CLUSTER_ABOVE || graph.has(e.node)) return true;
  const v = store.verdictOf(e.probe)?.verdict;
  if (v) return v.path.includes(e.node) || v.drop?.node === e.node;
  return !(e.stage === 'arp' && e.action === 'ignore');
}

/** A probe starts playing: on a clustered cloud its path is drawn and the camera goes to it. */
function startPath(probe: number): void {
  pathProbe = probe;
  pathNodes.clear();
  if (graph.size <= CLUSTER_ABOVE) return;
  // Before its verdict a probe's path is not known in full: the camera waits for it (showPath).
  const v = store.verdictOf(probe);
  if (v) showPath(v.verdict.path);
}

/** On a clustered cloud: the probe's path drawn and the camera on it. */
function showPath(path: readonly string[]): void {
  if (graph.size <= CLUSTER_ABOVE) return;
  for (const n of path) graph.ensure(n);
  graph.focus(path);
}

function showEvent(e: TraceEvent): void {
  inspected = null;
  showDetails(`Event ${e.seq}`, eventDetail(e, store.get(e.probe)?.events ?? [e]));
}
const probes = new ProbeList(byId('probes'), byId('verdict-banner'), (id) => selectProbe(id, true));
const form = new InjectForm({
  form: byId<HTMLFormElement>('inject'),
  from: byId<HTMLInputElement>('inject-from'),
  to: byId<HTMLInputElement>('inject-to'),
  proto: byId<HTMLSelectElement>('inject-proto'),
  port: byId<HTMLInputElement>('inject-port'),
  count: byId<HTMLInputElement>('inject-count'),
  senders: byId<HTMLDataListElement>('senders'),
  targets: byId<HTMLDataListElement>('targets'),
  message: byId('inject-message'),
}, (p) => (client.send({ type: 'inject', id: `inject-${++injections}`, ...p }) ? undefined : 'not connected: the probe was not sent'));

const inspectSelect = byId<HTMLSelectElement>('inspect-node');
inspectSelect.addEventListener('change', () => inspect(inspectSelect.value || null));

/** Asks the server for a node's state; the answer fills the side panel. */
function inspect(node: string | null): void {
  inspected = node;
  graph.select(node);
  inspectSelect.value = node ?? '';
  if (node === null) return;
  nodeDetails = undefined;
  nodeState = undefined;
  showDetails(shortNode(node), el('p', { class: 'muted' }, 'asking the server…'));
  client.send({ type: 'details', id: `details:${node}`, node });
  client.send({ type: 'state', id: `state:${node}`, node });
}

/** The inspected node's details (from the topology) and state (its tables now), as they come. */
let nodeDetails: HTMLElement | undefined;
let nodeState: HTMLElement | undefined;
function showNode(node: string): void {
  showDetails(shortNode(node), el('div', {}, ...[nodeDetails, nodeState].filter((x): x is HTMLElement => x !== undefined)));
}

function selectProbe(id: number | null, replay: boolean): void {
  selectedProbe = id;
  probes.select(id);
  const record = id === null ? undefined : store.get(id);
  const json = byId<HTMLButtonElement>('download-json');
  const pcap = byId<HTMLAnchorElement>('download-pcap');
  json.disabled = record === undefined;
  pcap.classList.toggle('disabled', record === undefined);
  pcap.href = id === null ? '#' : pcapHref(id, location.search);
  if (record && replay) {
    playback.load(record.id, record.events, record.verdict !== undefined);
    events.showProbe(id);
    probes.unsettle(record.id);
    playback.play();
  }
}

function drawLegend(t: Topology): void {
  const counts = new Map<NodeKind, number>();
  for (const n of t.nodes) counts.set(n.kind, (counts.get(n.kind) ?? 0) + 1);
  const byProject = t.projects.length > 1;
  const items = KIND_ORDER.filter((k) => counts.has(k)).map((k) =>
    el('li', { 'data-kind': k }, el('span', { class: `swatch shape-${KIND_STYLE[k].shape}`, style: `--c:${byProject ? 'var(--muted)' : KIND_STYLE[k].color}` }), `${KIND_STYLE[k].label} `, el('span', { class: 'count' }, String(counts.get(k)))));
  const projectItems = byProject ? t.projects.map((p) => el('li', { 'data-project': p }, el('span', { class: 'swatch', style: `--c:${projectColor(t.projects, p)}` }), `project ${p}`)) : [];
  byId('legend').replaceChildren(
    el('ul', {}, ...items),
    ...(byProject ? [el('ul', { class: 'projects' }, ...projectItems)] : []),
    el('div', { class: 'legend-total' }, el('span', { id: 'node-count' }, String(t.nodes.length)), ' nodes · ', String(t.edges.length), ' links', t.nodes.length > CLUSTER_ABOVE ? ' · a square of instances is a network\'s: click to expand' : ''),
    el('ul', { class: 'directions' }, el('li', {}, el('span', { class: 'dot dir-forward' }), 'forward'), el('li', {}, el('span', { class: 'dot dir-reply' }), 'reply'), el('li', {}, el('span', { class: 'dot dir-control' }), 'control (ARP, ND)'), el('li', {}, el('span', { class: 'dot drop' }), 'drop')),
  );
}

function onHello(t: CompactTopology, reason: string): void {
  topology = t;
  topo = expandCompact(t);
  store.clear();
  events.clear();
  probes.clear();
  playback.clear();
  pathNodes.clear();
  pathProbe = null;
  selectProbe(null, false);
  const drawn = graph.load(topo);
  // First paint: the frame after the first topology is drawn, in ms since navigation (the bench reads it).
  if (firstPaint === undefined) requestAnimationFrame(() => { firstPaint ??= performance.now(); });
  byId('graph').dataset['nodes'] = String(drawn);
  byId('topology-name').textContent = t.name;
  byId('topology-file').textContent = t.file ?? '';
  document.title = `vnet · ${t.name}`;
  drawLegend(topo);
  form.load(t, topo);
  // A large cloud's instances are found by search, not listed in the selects.
  const ids = topo.nodes.filter((n) => topo!.nodes.length <= CLUSTER_ABOVE || n.kind !== 'instance').map((n) => n.id);
  events.setNodes(ids);
  events.setProbes([]);
  setOptions(inspectSelect, [{ value: '', label: '—' }, ...ids.map((id) => ({ value: id, label: shortNode(id) }))]);
  if (reason !== 'connect') say(reason === 'reset' ? 'The simulation was reset: caches and tables are empty again.' : 'The cloud changed: reloaded.');
  if (inspected !== null && graph.has(inspected)) inspect(inspected);
  else showDetails('Details', el('p', { class: 'muted' }, 'Click an event, a probe or a node.'));
}

const searchInput = byId<HTMLInputElement>('search');
byId<HTMLFormElement>('search-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const hit = topo ? searchNodes(topo, searchInput.value, 1)[0] : undefined;
  searchInput.classList.toggle('not-found', hit === undefined);
  searchInput.title = hit === undefined ? `nothing named or addressed ${searchInput.value}` : `${hit.id} ${hit.label}`;
  if (!hit) return;
  graph.ensure(hit.id);
  graph.focus([hit.id]);
  inspect(hit.id);
});

function onEvent(e: TraceEvent): void {
  store.addEvent(e);
  // A probe's events come as its animation reaches them; background work goes straight in.
  if (e.probe === 0) events.add(e);
  else playback.push(e);
}

function setStatus(state: ConnectionState, detail: string): void {
  const status = byId('status');
  status.dataset['state'] = state;
  status.textContent = state === 'open' ? (paused ? 'paused' : 'live') : detail;
  status.title = detail;
}

const client = new StreamClient(StreamClient.urlFor(location), {
  hello: (m) => {
    helloAt ??= performance.now();
    onHello(m.topology, m.reason);
  },
  event: (m) => onEvent(m.event),
  verdict: (m) => {
    const record = store.addVerdict(m);
    const playing = playback.verdict(m.probe.id);
    probes.add(m, !playing);
    if (playing && pathProbe === m.probe.id) showPath(m.verdict.path);
    events.verdictArrived();
    events.setProbes(store.finished().map((r) => ({ id: r.id, label: probeLabel(r.verdict!) })));
    if (m.probe.ref !== null && m.probe.ref.startsWith('inject-')) form.say(`${probeLabel(m)}: ${m.verdict.verdict}`);
    selectProbe(record.id, false);
    if (inspected !== null) client.send({ type: 'state', id: `state:${inspected}`, node: inspected });
  },
  dropped: (m) => say(`This page fell behind: the server dropped ${m.count} messages (${m.events} events, ${m.verdicts} verdicts). The table has gaps.`, 'error'),
  state: (m) => {
    if (m.state.node !== inspected) return;
    nodeState = stateView(m.state);
    showNode(m.state.node);
  },
  details: (m) => {
    if (m.node !== inspected) return;
    nodeDetails = detailsView(m.details);
    showNode(m.node);
  },
  error: (m) => {
    if (m.ref?.startsWith('inject-')) form.say(m.message, true);
    else if (m.ref?.startsWith('state:') || m.ref?.startsWith('details:')) showDetails('Details', el('p', { class: 'error' }, m.message));
    else say(m.issues ? `${m.message}` : m.message, 'error');
  },
}, setStatus);

byId('pause').addEventListener('click', () => {
  paused = !paused;
  client.send({ type: paused ? 'pause' : 'resume' });
  byId('pause').textContent = paused ? 'Resume stream' : 'Hold stream';
  byId('status').textContent = paused ? 'paused' : 'live';
});
byId('reset').addEventListener('click', () => client.send({ type: 'reset' }));
byId('replay').addEventListener('click', () => {
  const id = selectedProbe ?? store.finished().at(-1)?.id;
  if (id !== undefined) selectProbe(id, true);
});
byId<HTMLSelectElement>('speed').addEventListener('change', (e) => {
  playback.speed = Number((e.target as HTMLSelectElement).value);
});
playButton.addEventListener('click', () => (playback.playing ? playback.pause() : playback.play()));
byId('step-back').addEventListener('click', () => playback.stepBack());
byId('step-forward').addEventListener('click', () => playback.stepForward());
byId('download-json').addEventListener('click', () => {
  const record = selectedProbe === null ? undefined : store.get(selectedProbe);
  if (record) downloadText(`vnet-${topology?.name ?? 'trace'}-probe-${record.id}.json`, probeJson(record));
});
notice.addEventListener('click', () => { notice.hidden = true; });

// A handle for the browser console and the end-to-end test: what is drawn, and where.
Object.assign(window, {
  vnetViewer: {
    nodes: () => graph.graph.order,
    topologyNodes: () => graph.size,
    labelsShown: () => graph.graph.filterNodes((_n, a) => a.labelPlace !== undefined),
    labelBoxes: () => graph.lastBoxes,
    regions: () => graph.computeRegions(),
    /** The camera at rest (no move animating), so that positions read now stay true. */
    still: () => !graph.sigma.getCamera().isAnimating(),
    /** Whether sigma draws this node's label now (hover shows one the collision pass hid). */
    labelVisible: (node: string) => graph.sigma.getNodeDisplayData(node)?.labelVisibility !== 'hidden',
    expand: (cluster: string) => graph.expand(cluster),
    expanded: () => [...graph.expanded],
    /** Every drawn node: id, screen position and radius (CSS pixels), its region's project. */
    drawn: () => graph.graph.mapNodes((id, a) => ({ id, ...graph.sigma.graphToViewport(a), r: a.size, group: a.group ?? null })),
    firstPaint: () => ({ hello: helloAt, paint: firstPaint }),
    highlighted: () => [...pathNodes],
    renderedNodes: () => graph.graph.nodes().filter((n) => graph.sigma.getNodeDisplayData(n) !== undefined).length,
    screenPosition: (node: string) => graph.screenPosition(node),
    playback: () => playback.position,
    frames: () => animator.frames,
  },
});

client.connect();
