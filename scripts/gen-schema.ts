// Writes schema/topology.schema.json and the generated part of docs/topology.md from the valibot
// declarations in src/topology/schema.ts (topology-doc.ts), so editors complete and check
// topology files, and the reference page lists their keys, by the rules the loader applies.
// `--check` fails (exit 1) when either committed file is not what the declarations produce.
import { readFileSync, writeFileSync } from 'node:fs';
import { schemaText, topologyJsonSchema, topologyReference, withReference } from './topology-doc.js';

const SCHEMA = 'schema/topology.schema.json';
const DOC = 'docs/topology.md';

const read = (file: string): string => {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return ''; // missing counts as stale
  }
};

let page: string;
try {
  page = withReference(read(DOC), topologyReference(topologyJsonSchema()));
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
const outputs: [string, string][] = [[SCHEMA, schemaText()], [DOC, page]];

if (process.argv.includes('--check')) {
  const stale = outputs.filter(([file, text]) => read(file) !== text).map(([file]) => file);
  for (const file of stale) console.error(`${file} is out of date: run npm run gen:schema and commit it`);
  if (stale.length > 0) process.exit(1);
  console.log(`${outputs.map(([f]) => f).join(' and ')} are current`);
} else {
  for (const [file, text] of outputs) {
    writeFileSync(file, text);
    console.log(`wrote ${file}`);
  }
}
