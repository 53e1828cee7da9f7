/**
 * The page served at `/` until the viewer (issue 6, viewer/) lands: the topology's name and
 * where the API and the stream are. Self-contained: no script, no stylesheet, nothing fetched
 * from elsewhere (the server's Content-Security-Policy forbids it anyway).
 */
const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function placeholderPage(topologyName: string): string {
  const name = escapeHtml(topologyName);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>vnet — ${name}</title>
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 3rem auto; max-width: 40rem; padding: 0 1rem; color: #222; }
  code { background: #f3f3f3; padding: 0 .25em; border-radius: 3px; }
</style>
</head>
<body>
<h1>vnet: <span id="topology-name">${name}</span></h1>
<p>The live viewer is coming. Meanwhile the server already speaks its protocol:</p>
<ul>
  <li><code>GET /api/topology</code>: the resolved cloud and its graph as JSON;</li>
  <li><code>/ws</code>: the WebSocket stream of trace events and verdicts (protocol version 1: <code>inject</code>, <code>subscribe</code>, <code>pause</code>, <code>resume</code>, <code>reset</code>).</li>
</ul>
<p>When the server was started with <code>--token</code>, add <code>?token=…</code> to both.</p>
</body>
</html>
`;
}
