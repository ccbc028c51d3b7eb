// The API reference stays honest: every name the package exports at run time is declared in its
// types (www/lib/index.d.ts) and shown in the README, every declared value really exists, and
// every option the types document is accepted by generateVideo (an unknown one is refused).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dts = fs.readFileSync(path.join(root, 'www', 'lib', 'index.d.ts'), 'utf8');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

test('runtime exports, declared types and the README agree', async () => {
  const runtime = Object.keys(await import('../../www/lib/index.js')).sort();
  const declared = [...dts.matchAll(/^export declare (?:const|function|class) (\w+)/gm)].map((m) => m[1]).sort();
  assert.deepEqual(runtime, declared);
  for (const name of runtime) assert.match(readme, new RegExp(`\\b${name}\\b`), `${name} is in the README`);
});

test('every documented option is one generateVideo knows', async () => {
  const body = dts.match(/export interface GenerateOptions \{([\s\S]*?)\n\}/)?.[1] ?? '';
  const documented = [...body.matchAll(/^ {2}(\w+)\?:/gm)].map((m) => m[1]);
  assert.ok(documented.length >= 15, `${documented.length} options`);
  const source = fs.readFileSync(path.join(root, 'www', 'lib', 'index.js'), 'utf8');
  const pageOptions = JSON.parse(source.match(/const PAGE_OPTIONS = new Set\((\[.*?\])\)/)?.[1].replace(/'/g, '"') ?? '[]');
  const engineOptions = fs.readFileSync(path.join(root, 'src', 'options.rs'), 'utf8').match(/pub const FIELDS: \[&'static str; \d+\] = \[([\s\S]*?)\];/)?.[1]
    .match(/"(\w+)"/g)?.map((s) => s.slice(1, -1)) ?? [];
  assert.deepEqual([...documented].sort(), [...pageOptions, ...engineOptions].sort());
  for (const name of documented) assert.match(readme, new RegExp(`\\b${name}\\b`), `option ${name} is in the README`);
});
