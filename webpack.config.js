// Bundles the demo app (www/app) with the library (www/lib), its worker and both wasm builds into
// a static site in dist/. The worker and the .wasm files are found through
// `new URL(..., import.meta.url)`, which webpack 5 understands without extra rules.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import HtmlWebpackPlugin from 'html-webpack-plugin';

const root = path.dirname(fileURLToPath(import.meta.url));

// `--env bench` builds the benchmark page (www/bench) into dist-bench/ instead (see scripts/bench.mjs).
export default (env, argv) => ({
  mode: argv.mode ?? 'production',
  entry: env?.bench ? { bench: './www/bench/main.js' } : { app: './www/app/main.js' },
  output: {
    path: path.join(root, env?.bench ? 'dist-bench' : 'dist'),
    filename: '[name].[contenthash:8].js',
    chunkFilename: '[name].[contenthash:8].js',
    assetModuleFilename: '[name].[contenthash:8][ext]',
    clean: true,
  },
  module: {
    rules: [{ test: /\.css$/, type: 'asset/source' }],
  },
  plugins: [
    env?.bench
      ? new HtmlWebpackPlugin({ template: './www/bench/index.html', inject: 'body', scriptLoading: 'module' })
      : new HtmlWebpackPlugin({ template: './www/app/index.html', favicon: './www/app/icon.svg', inject: 'head', scriptLoading: 'module' }),
  ],
  performance: { hints: false },
  // wasm-bindgen-rayon's helpers import the package that imports them; the cycle is expected.
  ignoreWarnings: [/Circular dependency/],
  devtool: false,
  stats: 'errors-warnings',
});
