// The three browser engines Debian packages, driven the same way: open a page, evaluate a function
// in it, close. Never a downloaded browser, and no network beyond the pages' own origin.
//   chromium  /usr/bin/chromium       playwright-core (CDP)
//   firefox   /usr/bin/firefox-esr    puppeteer-core over WebDriver BiDi (no geckodriver)
//   webkit    WebKitGTK's MiniBrowser  WebKitWebDriver's plain W3C protocol, under xvfb-run
// Shared by the end-to-end tests and the benchmark.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { launchBrowser } from './browser.js';

/** @typedef {'chromium' | 'firefox' | 'webkit'} EngineName */
export const ENGINE_NAMES = /** @type {const} */ (['chromium', 'firefox', 'webkit']);

export const FIREFOX_PATH = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const MINIBROWSER_PATH = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';

/**
 * A page in one engine.
 * @typedef {object} EnginePage
 * @property {EngineName} engine
 * @property {string} version the browser's own name and version
 * @property {(url: string) => Promise<void>} goto
 * @property {<T>(fn: (...args: any[]) => T | Promise<T>, ...args: any[]) => Promise<Awaited<T>>} evaluate
 *   runs `fn` in the page with JSON-serialisable arguments and returns its JSON-serialisable result;
 *   an exception in the page rejects with its message
 * @property {(selector: string, file: string) => Promise<void>} setInputFile chooses a file in an `<input type=file>`
 * @property {() => Promise<void>} close
 */

/** Whether `engine`'s browser is installed here. @param {EngineName} engine */
export function engineInstalled(engine) {
  if (engine === 'chromium') return fs.existsSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium');
  if (engine === 'firefox') return fs.existsSync(FIREFOX_PATH);
  return fs.existsSync(MINIBROWSER_PATH) && hasCommand('WebKitWebDriver') && hasCommand('xvfb-run');
}

/** @param {string} name */
function hasCommand(name) {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Opens a fresh browser of `engine` with one blank page.
 * @param {EngineName} engine @returns {Promise<EnginePage>}
 */
export async function openEngine(engine) {
  if (engine === 'chromium') return openChromium();
  if (engine === 'firefox') return openFirefox();
  return openWebKit();
}

/** @returns {Promise<EnginePage>} */
async function openChromium() {
  const browser = await launchBrowser();
  const context = await browser.newContext();
  const page = await context.newPage();
  return {
    engine: 'chromium',
    version: `Chromium ${browser.version()}`,
    goto: async (url) => void (await page.goto(url)),
    evaluate: (fn, ...args) => page.evaluate(({ source, args }) => new Function(`return (${source})`)()(...args), { source: fn.toString(), args }),
    setInputFile: (selector, file) => page.setInputFiles(selector, file),
    close: () => browser.close(),
  };
}

/** @returns {Promise<EnginePage>} */
async function openFirefox() {
  const { default: puppeteer } = await import('puppeteer-core');
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'quantonium-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX_PATH,
    headless: true,
    userDataDir: profile,
    protocolTimeout: 600_000,
    // No network beyond the page's origin: Firefox's own update, telemetry and safe-browsing calls off.
    extraPrefsFirefox: {
      'app.update.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'network.captive-portal-service.enabled': false,
      'network.connectivity-service.enabled': false,
    },
  });
  let page = await browser.newPage();
  return {
    engine: 'firefox',
    version: (await browser.version()).replace(/^firefox\//i, 'Firefox '),
    goto: async (url) => {
      if (page.url() !== 'about:blank') {
        // puppeteer's BiDi navigation loses the frame when a cross-origin isolated page is
        // navigated again (Firefox ESR 153): a new tab of the same profile is used instead.
        const old = page;
        page = await browser.newPage();
        await old.close();
      }
      await page.goto(url);
    },
    evaluate: (fn, ...args) => page.evaluate((source, args) => new Function(`return (${source})`)()(...args), fn.toString(), args),
    setInputFile: async (selector, file) => {
      const input = /** @type {import('puppeteer-core').ElementHandle<HTMLInputElement>} */ (await page.waitForSelector(selector));
      await input.uploadFile(file);
    },
    close: async () => {
      await browser.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** A free TCP port on the loopback interface. @returns {Promise<number>} */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * WebKitGTK: WebKitWebDriver (under xvfb-run: MiniBrowser needs a display) spoken to in plain W3C
 * WebDriver. Results cross as JSON text, which is what the protocol carries anyway.
 * @returns {Promise<EnginePage>}
 */
async function openWebKit() {
  const port = await freePort();
  const driver = spawn('xvfb-run', ['-a', 'WebKitWebDriver', `--port=${port}`], { stdio: ['ignore', 'ignore', 'pipe'], detached: true });
  let driverLog = '';
  driver.stderr.on('data', (d) => {
    driverLog = (driverLog + d).slice(-4000);
    if (process.env.WEBKIT_LOG) fs.appendFileSync(process.env.WEBKIT_LOG, d);
  });
  const base = `http://127.0.0.1:${port}`;
  /** @param {string} method @param {string} route @param {unknown} [body] */
  const call = async (method, route, body) => {
    const res = await fetch(base + route, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = /** @type {any} */ (await res.json());
    if (!res.ok) throw new Error(`WebKitWebDriver ${method} ${route}: ${json.value?.error}: ${json.value?.message}`);
    return json.value;
  };
  const stop = () => {
    try {
      process.kill(-(driver.pid ?? 0), 'SIGTERM'); // xvfb-run, Xvfb, the driver and its browser
    } catch {}
  };
  try {
    for (let i = 0; ; i++) {
      try {
        await call('GET', '/status');
        break;
      } catch (err) {
        if (i > 100 || driver.exitCode !== null) throw new Error(`WebKitWebDriver did not start: ${err}\n${driverLog}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    const session = await call('POST', '/session', {
      capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': { binary: MINIBROWSER_PATH, args: ['--automation'] } } },
    });
    const id = session.sessionId;
    const version = `${session.capabilities.browserName} ${session.capabilities.browserVersion}`;
    await call('POST', `/session/${id}/timeouts`, { script: 600_000, pageLoad: 120_000 });
    return {
      engine: 'webkit',
      version: version.replace(/^MiniBrowser/, 'WebKitGTK MiniBrowser'),
      goto: async (url) => void (await call('POST', `/session/${id}/url`, { url })),
      evaluate: async (fn, ...args) => {
        const script = `const done = arguments[arguments.length - 1];
          Promise.resolve().then(() => (${fn.toString()})(...${JSON.stringify(args)}))
            .then((value) => done(JSON.stringify({ value: value === undefined ? null : value })),
                  (err) => done(JSON.stringify({ error: String(err && err.message || err) })));`;
        const out = JSON.parse(await call('POST', `/session/${id}/execute/async`, { script, args: [] }));
        if ('error' in out) throw new Error(out.error);
        return out.value;
      },
      setInputFile: async (selector, file) => {
        const el = await call('POST', `/session/${id}/element`, { using: 'css selector', value: selector });
        const ref = el['element-6066-11e4-a52e-4f735466cecf'];
        if (!ref) throw new Error(`no element reference in ${JSON.stringify(el)}`);
        await call('POST', `/session/${id}/element/${ref}/value`, { text: file });
      },
      close: async () => {
        await call('DELETE', `/session/${id}`).catch(() => {});
        stop();
      },
    };
  } catch (err) {
    stop();
    throw err;
  }
}
