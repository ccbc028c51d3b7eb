import fs from 'node:fs';
import { serve } from './serve.js';
import { launchBrowser } from './browser.js';
const server = await serve({ dir: '/work/main/dist-bench', port: 0, isolation: true });
const url = `http://127.0.0.1:${server.address().port}/`;
const browser = await launchBrowser();
const page = await browser.newPage();
await page.goto(url); await page.waitForSelector('body[data-ready]');
const bytes = [...fs.readFileSync('/work/main/target/bench/photo.png')];
for (let rep = 0; rep < 2; rep++) for (const hog of ['none', 'alu', 'mem']) for (const threads of [1, 2]) {
  const r = await page.evaluate(async ({ bytes, threads, hog }) => {
    let w = null, done = null;
    if (hog !== 'none') { w = new Worker('/hog.js'); done = new Promise((r) => { w.onmessage = r; }); w.postMessage({ kind: hog, ms: 1e9 }); await new Promise((r) => setTimeout(r, 300)); }
    const res = await quantoniumBench.render({ threads, image: new Uint8Array(bytes), motions: ['camera', 'resonance'], width: 1024, height: 1024, frames: 24 });
    if (w) w.terminate();
    return res;
  }, { bytes, threads, hog });
  console.log(hog.padEnd(5), threads, r.results.map((x) => `${x.motion} ${x.frameMs.toFixed(2)}`).join('  '));
}
await browser.close(); server.close();
