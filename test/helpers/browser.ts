/**
 * Debian's headless Chromium, driven by playwright-core, allowed to talk to loopback only.
 */
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { which } from '../../scripts/lib/process.ts';
import { chromiumPath } from '../../scripts/prereqs/requirements.ts';

/** CHROMIUM_PATH, else `chromium` on PATH: the same choice as the prereq step of `npm test`. */
const CHROMIUM = chromiumPath({ env: process.env, which: (name) => which(name, process.env) });

/** Flags for a closed network: no background connections that would be refused or stall. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Launches Chromium, or throws at once with the command that installs it. Call it before any slow
 * setup (site builds, sandboxes), so a machine without Chromium fails in seconds.
 */
export async function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) {
    const where = process.env['CHROMIUM_PATH']
      ? `at CHROMIUM_PATH=${process.env['CHROMIUM_PATH']}`
      : 'on PATH (chromium)';
    throw new Error(
      `Chromium not found ${where}.\n` +
        'Hint: run `npm run prereqs`: it names what is missing and prints the install command ' +
        '(as root it installs Chromium and the Korean font itself, as `npm test` does), ' +
        'or point CHROMIUM_PATH at a Chromium binary.',
    );
  }
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60_000 });
}

/**
 * A browser context that may only reach `origin`; every other request is aborted and recorded,
 * so a test can assert the page needs nothing from the internet (fonts, analytics, CDNs).
 */
export async function loopbackContext(
  browser: Browser,
  origin: string,
): Promise<{ context: BrowserContext; blocked: string[] }> {
  const context = await browser.newContext({ locale: 'ko-KR', viewport: { width: 1280, height: 900 } });
  const blocked: string[] = [];
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(`${origin}/`) || url.startsWith('data:')) return route.continue();
    blocked.push(url);
    return route.abort('blockedbyclient');
  });
  return { context, blocked };
}
