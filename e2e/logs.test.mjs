// The Logs page against a real node: the tail, then new lines arriving live
// as the node restarts (no reload), the filter with its count, and the
// line count choice surviving a reload.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startServe, launchBrowser, artifacts } from './harness.mjs';

let serve;
let browser;

before(async () => {
  serve = await startServe();
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

const lineCount = (page) => page.locator('.log-line').count();

test('logs tail live, filter with a count, and keep the line count', async () => {
  const page = await browser.newPage();
  await page.goto(serve.url);
  await page.waitForFunction(() => document.querySelector('[data-testid="node-state"]')?.textContent.includes('Running'), null, { timeout: 30000 });
  const nav = page.getByRole('navigation', { name: 'Main' });
  const advanced = nav.getByRole('button', { name: /Advanced/ });
  if ((await advanced.getAttribute('aria-expanded')) !== 'true') await advanced.click();
  await nav.getByRole('link', { name: 'Logs', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Node Logs' }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.log-line').length > 0, null, { timeout: 10000 });
  const before = await lineCount(page);

  // A restart prints new lines: they arrive over the event stream.
  const restarted = await page.evaluate(async () => (await fetch('/api/node/restart', { method: 'POST', headers: { 'X-Archivist-CSRF': '1' } })).status);
  assert.equal(restarted, 200);
  await page.waitForFunction((n) => document.querySelectorAll('.log-line').length > n, before, { timeout: 20000 });
  const requests = [];
  page.on('request', (r) => { if (r.url().includes('/api/node/logs')) requests.push(r.url()); });
  await page.waitForTimeout(2500);
  assert.deepEqual(requests, [], 'the page polled the log instead of following events');

  // Filter: only matching lines (both starts said "node ready"), and the count says so.
  const all = await lineCount(page);
  await page.getByLabel('Filter log lines').fill('READY');
  const shown = await page.locator('.log-text').allTextContents();
  assert.ok(shown.length >= 2 && shown.length < all, `${shown.length} of ${all} lines shown`);
  assert.ok(shown.every((t) => t.toLowerCase().includes('ready')));
  assert.equal(await page.getByTestId('log-count').textContent(), `${shown.length} of ${all} lines match`);
  await page.screenshot({ path: `${artifacts}logs.png` });

  // The line count is asked of the backend and kept.
  await page.getByLabel('Filter log lines').fill('');
  const asked = page.waitForRequest((r) => r.url().endsWith('/api/node/logs?lines=100'));
  await page.getByLabel('Lines', { exact: true }).selectOption('100');
  await asked;
  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'Node Logs' }).waitFor();
  assert.equal(await page.getByLabel('Lines', { exact: true }).inputValue(), '100');
  await page.close();
});
