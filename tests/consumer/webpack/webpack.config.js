// An ordinary webpack 5 set-up: nothing in it is there for quantonium-video. The package finds its
// worker and .wasm files through `new URL(..., import.meta.url)`, which webpack bundles by itself.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));

export default {
  mode: 'production',
  context: here,
  entry: './src/main.js',
  output: { path: path.join(here, 'dist'), filename: 'main.js', clean: false },
  performance: { hints: false },
  stats: 'errors-warnings',
};
