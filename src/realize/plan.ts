/**
 * A realization plan: the ordered commands that build a cloud in Linux network namespaces, each
 * with the reason it is there, and the name map from the cloud's things to the kernel's. Plain
 * data: the shell script (script.ts) and the executor (realize-runner/run-plan.ts) both read it, so what is
 * reviewed is what runs.
 */

export interface Step {
  /** The command, argv[0] first; `$AGENT` stands for the agent script's path. */
  readonly argv: readonly string[];
  /** Fed to the command's standard input (an nftables ruleset for `nft -f -`). */
  readonly stdin?: string;
  /** Runs in the background for the life of the realization (a service listener). */
  readonly background?: boolean;
  readonly why: string;
}

export interface NamespaceEntry {
  readonly name: string;
  /** What it holds: `fabric`, `internet`, `instance web-1`, `router edge`, … */
  readonly role: string;
}

export interface InterfaceEntry {
  readonly namespace: string;
  readonly name: string;
  /** The cloud's name for it: a port id (`web-1/eth0`), `bridge app`, `uplink public`, … */
  readonly of: string;
}

export interface Plan {
  readonly prefix: string;
  readonly namespaces: readonly NamespaceEntry[];
  readonly interfaces: readonly InterfaceEntry[];
  readonly up: readonly Step[];
  /** Things the realization leaves out on purpose (IPv6 addresses, unsupported algorithms). */
  readonly notes: readonly string[];
}

/** Placeholder for the agent script's path in a step's argv. */
export const AGENT = '$AGENT';
