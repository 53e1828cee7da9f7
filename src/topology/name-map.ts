/**
 * A map keyed by names, as valibot's record but for every own key. valibot's record skips
 * "constructor", "prototype" and "__proto__" without a word (so an instance named constructor
 * vanished while validate said ok); here each key is checked like any other (the name pattern
 * refuses "__proto__" at its place). The output has no prototype, so looking a name up
 * (`doc.security_groups[g]`) never finds an Object.prototype member such as toString.
 * It keeps the record's type and fields, so the JSON Schema and allowedKeys read it unchanged.
 */
import * as v from 'valibot';

type KeySchema = v.GenericSchema<string, string>;

export function nameMap<K extends KeySchema, V extends v.GenericSchema>(key: K, value: V): v.RecordSchema<K, V, undefined> {
  const base = v.record(key, value);
  type Run = v.RecordSchema<K, V, undefined>['~run'];
  const run = (dataset: v.UnknownDataset, config: v.Config<v.BaseIssue<unknown>>): ReturnType<Run> => {
    const input = dataset.value;
    if (!input || typeof input !== 'object' || Array.isArray(input)) {
      // The record's own type issue, also for a list (a record would read it as a map of indexes).
      const refused = base['~run']({ value: null }, config);
      for (const issue of refused.issues ?? []) (issue as { input: unknown }).input = input;
      return Object.assign(dataset, { typed: false, issues: refused.issues }) as unknown as ReturnType<Run>;
    }
    const issues: v.BaseIssue<unknown>[] = [];
    let typed = true;
    const result = Object.create(null) as Record<string, unknown>;
    for (const entryKey of Object.keys(input)) {
      const entryValue = (input as Record<string, unknown>)[entryKey];
      const keyDataset = key['~run']({ value: entryKey }, config);
      const valueDataset = value['~run']({ value: entryValue }, config);
      // Checked before looping: a map of 100,000 valid entries allocates nothing here.
      if (keyDataset.issues !== undefined || valueDataset.issues !== undefined) {
        for (const [ds, origin] of [[keyDataset, 'key'], [valueDataset, 'value']] as const) {
          for (const issue of ds.issues ?? []) {
            const item: v.ObjectPathItem = { type: 'object', origin, input: input as Record<string, unknown>, key: entryKey, value: entryValue };
            (issue as { path?: unknown[] }).path = origin === 'key' || !issue.path ? [item] : [item, ...issue.path];
            issues.push(issue);
          }
        }
      }
      if (!keyDataset.typed || !valueDataset.typed) typed = false;
      if (keyDataset.typed) result[keyDataset.value] = valueDataset.value;
    }
    return Object.assign(dataset, { typed, value: result, issues: issues.length > 0 ? issues : undefined }) as unknown as ReturnType<Run>;
  };
  return { ...base, '~run': run as Run };
}
