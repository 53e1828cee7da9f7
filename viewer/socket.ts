/**
 * The page's end of the WebSocket stream (`/ws`, protocol v1 of DESIGN §7). Passes the page's
 * `?token=` on, reconnects with a growing delay when the connection drops, and hands each
 * server message to its handler by type. Sending while disconnected reports false.
 */
import type { ClientMessage, ServerMessage } from './types.js';

type Handlers = { [K in ServerMessage['type']]: (msg: Extract<ServerMessage, { type: K }>) => void };
export type ConnectionState = 'connecting' | 'open' | 'closed';

/** A client message without the protocol version, which this module adds. */
type Outgoing = ClientMessage extends infer M ? (M extends { v: 1 } ? Omit<M, 'v'> : never) : never;

export class StreamClient {
  private ws: WebSocket | undefined;
  private retryMs = 500;
  private stopped = false;

  constructor(private readonly url: string, private readonly handlers: Handlers, private readonly onState: (state: ConnectionState, detail: string) => void) {}

  /** ws://host/ws?token=… for the page at `location`. */
  static urlFor(location: Location): string {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws${location.search}`;
  }

  connect(): void {
    this.onState('connecting', this.url.replace(/token=[^&]*/, 'token=…'));
    const ws = new WebSocket(this.url);
    this.ws = ws;
    ws.addEventListener('open', () => {
      this.retryMs = 500;
      this.onState('open', 'connected');
    });
    ws.addEventListener('message', (e: MessageEvent<string>) => this.dispatch(e.data));
    ws.addEventListener('close', (e) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (this.stopped) return;
      this.onState('closed', `disconnected (${e.code}${e.reason ? `: ${e.reason}` : ''}); retrying in ${(this.retryMs / 1000).toFixed(1)} s`);
      setTimeout(() => this.connect(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 10_000);
    });
  }

  private dispatch(text: string): void {
    let msg: ServerMessage;
    try {
      msg = JSON.parse(text) as ServerMessage;
    } catch {
      return;
    }
    const handler = this.handlers[msg.type] as ((m: ServerMessage) => void) | undefined;
    handler?.(msg);
  }

  send(msg: Outgoing): boolean {
    if (this.ws?.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify({ ...msg, v: 1 }));
    return true;
  }

  close(): void {
    this.stopped = true;
    this.ws?.close();
  }
}
