// Writes schema/topology.schema.json from the valibot declarations in src/topology/schema.ts,
// so editors complete and check topology files with the same rules the loader applies.
// `--check` fails (exit 1) when the committed file is not what the declarations produce.
import { readFileSync, writeFileSync } from 'node:fs';
import { toJsonSchema } from '@valibot/to-json-schema';
import { topologySchema } from '../src/topology/schema.js';

const OUT = 'schema/topology.schema.json';

export function topologyJsonSchema(): string {
  const schema = toJsonSchema(topologySchema, { errorMode: 'ignore', target: 'draft-07' }) as Record<string, unknown>;
  const doc = {
    $schema: schema['$schema'],
    $id: 'https://vnet.invalid/schema/topology.schema.json',
    title: 'vnet topology',
    description: 'A small cloud for vnet: networks, subnets, routers, security groups, instances, floating IPs, load balancers. See DESIGN §6.',
    ...schema,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

const text = topologyJsonSchema();
if (process.argv.includes('--check')) {
  let current = '';
  try { current = readFileSync(OUT, 'utf8'); } catch { /* missing counts as stale */ }
  if (current !== text) {
    console.error(`${OUT} is out of date: run npm run gen:schema and commit it`);
    process.exit(1);
  }
  console.log(`${OUT} is current`);
} else {
  writeFileSync(OUT, text);
  console.log(`wrote ${OUT}`);
}
