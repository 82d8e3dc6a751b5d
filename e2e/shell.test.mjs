// The app shell in a real browser: log in through the printed URL, see a live
// value from the API, visit every page of the navigation.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServe, launchBrowser, openApp, shoot } from './harness.mjs';

let serve;
let browser;

before(async () => {
  serve = await startServe();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  const res = await serve?.stop();
  assert.deepEqual(res, { code: 0, sig: null }, `archivist serve did not exit cleanly:\n${serve?.stderr()}`);
});

const pages = [
  { link: 'Dashboard', path: '/', heading: 'Dashboard' },
  { link: 'Backups', path: '/sync', heading: 'Sync' },
  { link: 'Restore', path: '/files', heading: 'Files' },
  { link: 'My Devices', path: '/devices', heading: 'Devices' },
  { link: 'Add Device', path: '/devices/add', heading: 'Add Device' },
  { link: 'Logs', path: '/logs', heading: 'Node Logs', advanced: true },
  { link: 'Backup Server', path: '/backup-server', heading: 'Backup Server Dashboard', advanced: true },
  { link: 'Settings', path: '/settings', heading: 'Settings', advanced: true },
];

test('the printed URL opens the app with a live value from the API', async () => {
  const page = await browser.newPage();
  await openApp(page, serve.url);
  assert.ok(!page.url().includes('token='), `the key stays in the address bar: ${page.url()}`);

  const version = page.getByTestId('app-version');
  await version.waitFor({ timeout: 10000 });
  const api = await page.evaluate(async () => (await fetch('/api/version')).json());
  assert.ok(api.version, 'the API reports a version');
  await page.waitForFunction((v) => document.querySelector('[data-testid="app-version"]')?.textContent.includes(v), api.version);
  await page.waitForFunction(() => document.querySelector('[data-testid="event-state"]')?.textContent.includes('live'));

  // Pages link to each other too: click the entries of the navigation.
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const p of pages) {
    if (p.advanced && !(await nav.getByRole('link', { name: p.link, exact: true }).isVisible())) {
      await nav.getByRole('button', { name: /Advanced/ }).click();
    }
    await nav.getByRole('link', { name: p.link, exact: true }).click();
    await page.waitForURL((u) => new URL(u).pathname === p.path);
    const h = page.getByRole('heading', { name: p.heading, exact: true });
    await h.waitFor({ timeout: 5000 });
  }
  await shoot(page, 'shell');
  await page.close();
});

test('a browser without the key gets the sign-in page, not the app', async () => {
  const ctx = await browser.newContext();
  const page = await ctx.newPage();
  const origin = new URL(serve.url).origin;
  const resp = await page.goto(origin + '/');
  assert.equal(resp.status(), 401);
  assert.ok(await page.getByPlaceholder('API key').isVisible());
  const api = await page.evaluate(async () => (await fetch('/api/version')).status);
  assert.equal(api, 401);
  await ctx.close();
});
