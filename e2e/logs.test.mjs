// The Logs page follows the node's real output: lines the node prints
// about work it is doing now appear without a reload, the filter narrows
// them to what matches, and the Lines control bounds how many are shown.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startServe, launchBrowser, openApp, waitNodeRunning, nav, CSRF_HEADER, shoot } from './harness.mjs';

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

/** Uploads bytes as a file through the app API with the page's session; resolves with its CID. */
async function upload(page, name, bytes) {
  const origin = new URL(page.url()).origin;
  const res = await page.request.post(`${origin}/api/files?name=${encodeURIComponent(name)}`, {
    headers: { [CSRF_HEADER]: '1', 'Content-Type': 'application/octet-stream' },
    data: bytes,
  });
  assert.equal(res.status(), 200, `upload of ${name}: ${await res.text()}`);
  return (await res.json()).cid;
}

const lineTexts = (page) => page.locator('.log-line .log-text').allTextContents();

/** Waits for a shown log line containing every one of parts. */
async function waitLine(page, parts, timeout = 15000) {
  await page.waitForFunction(
    (ps) => [...document.querySelectorAll('.log-line .log-text')].some((e) => ps.every((p) => e.textContent.includes(p))),
    parts,
    { timeout },
  );
}

test('node log lines arrive live, filter, and the Lines control bounds them', async () => {
  const page = await browser.newPage();
  await openApp(page, serve.url);
  await waitNodeRunning(page);
  await nav(page, 'Logs');
  await page.getByRole('heading', { name: 'Node Logs', exact: true }).waitFor();
  // The node's start is in the tail the page loads.
  await waitLine(page, ['node ready']);
  const file = await page.locator('.log-file code').textContent();
  assert.ok(file.endsWith('node.log'), `the log file is named: ${file}`);

  // From here on the page must not read the log again: new lines come as events.
  const logReads = [];
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/node/logs') logReads.push(r.url());
  });

  // Node activity: 120 uploads, each of which the node logs with its CID.
  const cids = [];
  for (let i = 0; i < 120; i++) cids.push(await upload(page, `probe-${i}.bin`, randomBytes(2000 + i)));
  await waitLine(page, ['stored dataset', cids.at(-1)]);
  await waitLine(page, ['stored dataset', cids[0]]);
  assert.deepEqual(logReads, [], 'the page re-read the log instead of following events');
  const before = await lineTexts(page);
  assert.ok(before.length > 120, `all lines shown: ${before.length}`);
  const count = page.getByTestId('log-count');
  assert.equal((await count.textContent()).trim(), `${before.length} lines`);

  // Filter: only the lines of one upload, with the match marked.
  const filter = page.getByLabel('Filter log lines');
  await filter.fill(cids[7]);
  await page.waitForFunction(() => document.querySelectorAll('.log-line').length === 1);
  const shown = await lineTexts(page);
  assert.ok(shown[0].includes('stored dataset') && shown[0].includes(cids[7]), shown[0]);
  assert.equal((await count.textContent()).trim(), `1 of ${before.length} lines match`);
  assert.equal(await page.locator('.log-line mark').first().textContent(), cids[7]);
  await filter.fill('STORED DATASET');
  await page.waitForFunction(() => document.querySelectorAll('.log-line').length === 120);
  await filter.fill('');

  // Lines: 100 keeps the newest 100, and new lines push the oldest out.
  const lines = page.getByLabel('Lines', { exact: true });
  assert.equal(await lines.inputValue(), '500');
  await lines.selectOption('100');
  await page.waitForFunction(() => document.querySelectorAll('.log-line').length === 100);
  assert.equal((await count.textContent()).trim(), '100 lines');
  assert.deepEqual(await lineTexts(page), before.slice(-100));
  const late = await upload(page, 'late.bin', randomBytes(4096));
  await waitLine(page, ['stored dataset', late]);
  const after100 = await lineTexts(page);
  assert.equal(after100.length, 100);
  assert.ok(after100.at(-1).includes(late));

  // The choice is kept: after a reload the page asks for 100 lines.
  await page.reload();
  await page.getByRole('heading', { name: 'Node Logs', exact: true }).waitFor();
  await waitLine(page, [late]);
  assert.equal(await page.getByLabel('Lines', { exact: true }).inputValue(), '100');
  assert.ok(logReads.some((u) => u.endsWith('lines=100')), `reloaded with 100 lines: ${logReads}`);
  assert.equal((await lineTexts(page)).length, 100);
  await page.getByLabel('Lines', { exact: true }).selectOption('500');
  await page.waitForFunction((n) => document.querySelectorAll('.log-line').length > n, 100);
  assert.ok((await lineTexts(page)).length >= before.length + 1);
  await shoot(page, 'logs-lines');
  await page.close();
});
