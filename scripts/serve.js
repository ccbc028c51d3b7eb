// A small static server for dist/ (or another folder) on 127.0.0.1. It sends the two headers that
// make the page cross-origin isolated (threads on); `--no-isolation` leaves them out, to exercise
// the single-threaded fallback. Usage: node scripts/serve.js [--port N] [--dir D] [--no-isolation]
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.css': 'text/css; charset=utf-8', '.json': 'application/json',
  '.png': 'image/png', '.jpg': 'image/jpeg', '.svg': 'image/svg+xml', '.webmanifest': 'application/manifest+json',
};

/**
 * The demo's Content-Security-Policy (the page also carries it in a <meta> tag; the header covers
 * the workers too, which need 'wasm-unsafe-eval' to compile the engine).
 */
export const CSP = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; "
  + "img-src 'self' blob:; media-src 'self' blob:; style-src 'self'; object-src 'none'; base-uri 'self'; form-action 'none'";

/**
 * Starts the server; resolves with the `http.Server` once listening.
 * @param {{ dir: string, port?: number, isolation?: boolean, host?: string }} options
 */
export function serve({ dir, port = 8080, isolation = true, host = '127.0.0.1' }) {
  const rootDir = path.resolve(dir);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let file = path.join(rootDir, decodeURIComponent(url.pathname));
    if (!file.startsWith(rootDir)) {
      res.writeHead(403).end();
      return;
    }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, body) => {
      const headers = { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': CSP };
      if (isolation) {
        headers['Cross-Origin-Opener-Policy'] = 'same-origin';
        headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      }
      if (err) {
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found');
        return;
      }
      res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
      res.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (flag, fallback) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : fallback);
  const port = Number(value('--port', process.env.PORT ?? 8080));
  const dir = value('--dir', path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist'));
  const isolation = !args.includes('--no-isolation');
  const server = await serve({ dir, port, isolation });
  const { port: bound } = /** @type {import('node:net').AddressInfo} */ (server.address());
  console.log(`Quantonium Video: http://127.0.0.1:${bound}/  (${isolation ? 'cross-origin isolated: threads on' : 'no COOP/COEP: single thread'})`);
}
