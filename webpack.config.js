// Bundles the demo app (www/app) with the library (www/lib), its worker and both wasm builds into
// a static site in dist/. The worker and the .wasm files are found through
// `new URL(..., import.meta.url)`, which webpack 5 understands without extra rules.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fs from 'node:fs';
import HtmlWebpackPlugin from 'html-webpack-plugin';
import webpack from 'webpack';
import { InjectManifest } from 'workbox-webpack-plugin';

const root = path.dirname(fileURLToPath(import.meta.url));

/** Emits every file of `dir` as it is (the web app manifest and its icons need fixed names). */
class StaticFiles {
  /** @param {string} dir */
  constructor(dir) {
    this.dir = dir;
  }
  /** @param {import('webpack').Compiler} compiler */
  apply(compiler) {
    compiler.hooks.thisCompilation.tap('StaticFiles', (compilation) => {
      compilation.hooks.processAssets.tap({ name: 'StaticFiles', stage: webpack.Compilation.PROCESS_ASSETS_STAGE_ADDITIONAL }, () => {
        for (const name of fs.readdirSync(this.dir)) {
          compilation.fileDependencies.add(path.join(this.dir, name));
          compilation.emitAsset(name, new webpack.sources.RawSource(fs.readFileSync(path.join(this.dir, name))));
        }
      });
    });
  }
}

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
    ...(env?.bench
      ? []
      : [
          new StaticFiles(path.join(root, 'www', 'app', 'static')),
          // Precaches everything emitted (shell, engine worker, both .wasm builds: ~1.6 MB each).
          new InjectManifest({ swSrc: './www/app/sw.js', swDest: 'sw.js', maximumFileSizeToCacheInBytes: 8 * 1024 * 1024 }),
        ]),
  ],
  performance: { hints: false },
  // wasm-bindgen-rayon's helpers import the package that imports them; the cycle is expected.
  ignoreWarnings: [/Circular dependency/],
  devtool: false,
  stats: 'errors-warnings',
});
