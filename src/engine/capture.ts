/**
 * Frames captured where they go on a wire (Simulator.transmit, after the sending port's filter,
 * run by its host, let them out), encoded to bytes at that moment: frames are values that may be pooled or
 * reused later, so a capture never keeps one. Opt-in (`capture: true`); a long-running user
 * (the server) drains it after each probe so it never grows beyond one probe's frames.
 */
import type { Frame } from '../packet/frame.js';
import { encodeFrame } from '../packet/encode.js';

export interface CapturedFrame {
  /** Virtual time the frame left, µs. */
  readonly t: number;
  /** The probe that caused it (0: background work such as health checks). */
  readonly probe: number;
  /** The node and port it left from. */
  readonly node: string;
  readonly port: string;
  readonly bytes: Uint8Array;
}

export class Capture {
  private frames: CapturedFrame[] = [];

  record(t: number, probe: number, node: string, port: string, frame: Frame): void {
    this.frames.push({ t, probe, node, port, bytes: encodeFrame(frame) });
  }

  /** The frames of one probe, in the order they went out. */
  ofProbe(probe: number): CapturedFrame[] {
    return this.frames.filter((f) => f.probe === probe);
  }

  /** Everything captured so far, which the capture then forgets. */
  drain(): CapturedFrame[] {
    const all = this.frames;
    this.frames = [];
    return all;
  }

  get size(): number {
    return this.frames.length;
  }
}
