// The first real user flow in a browser: the app starts its node, the
// Dashboard says so, a file uploaded from the Restore page is stored on the
// node and comes back byte for byte through the download link; the Download
// by CID field tells a CID from what is not one, and downloads a real one.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, readFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServe, launchBrowser, openApp, waitNodeRunning, nav, sha256, saveDownload, waitText, shoot } from './harness.mjs';

let serve;
let browser;
let dir;
// The file the first test uploads: its bytes and the CID the page showed.
const uploaded = { content: null, cid: null };

before(async () => {
  serve = await startServe();
  browser = await launchBrowser();
  dir = await mkdtemp(join(tmpdir(), 'archivist-e2e-upload-'));
});

after(async () => {
  await browser?.close();
  await serve?.stop();
});

test('node runs, a file uploads from the page and downloads back identical', async () => {
  const page = await browser.newPage({ acceptDownloads: true });
  await openApp(page, serve.url);
  await waitNodeRunning(page);
  await shoot(page, 'files-dashboard');

  const file = join(dir, 'holiday notes.txt');
  uploaded.content = randomBytes(300000);
  await writeFile(file, uploaded.content);

  await nav(page, 'Restore');
  await page.locator('input[type="file"]').setInputFiles(file);
  const row = page.getByRole('row', { name: /holiday notes\.txt/ });
  await row.waitFor({ timeout: 20000 });
  uploaded.cid = await row.locator('code.cid-short').getAttribute('title');

  const back = await saveDownload(page, () => row.getByRole('link', { name: /Download/ }).click(), dir);
  assert.equal(sha256(back), sha256(uploaded.content), 'downloaded bytes differ from the uploaded file');
  await shoot(page, 'files-restore');
  await page.close();
});

test('Download by CID says why an input is not a CID, and downloads a real one', async () => {
  assert.ok(uploaded.cid, 'the upload test left a CID to work with');
  const cid = uploaded.cid;
  const page = await browser.newPage({ acceptDownloads: true });
  await openApp(page, serve.url);
  await nav(page, 'Restore');
  const panel = page.getByRole('region', { name: 'Download by CID' });
  const input = panel.getByLabel('CID', { exact: true });
  const message = panel.locator('#files-cid-message');
  const disabledDownload = panel.getByRole('button', { name: 'Download', exact: true });
  const downloadLink = panel.getByRole('link', { name: 'Download', exact: true });

  // What the field shows for each input: the message under it, whether the
  // input is marked invalid, and that nothing can be downloaded.
  const refused = [
    ['zDvZRwzm', 'Not a valid CID: too short: 8 characters, a CID has 46–60'],
    [`z${'a'.repeat(70)}`, 'Not a valid CID: too long: 71 characters, a CID has 46–60'],
    [`${cid.slice(0, 10)}0OIl${cid.slice(14)}`, 'Not a valid CID: contains characters that are not in a CID: "0", "O", "I", "l"'],
    [`${cid.slice(0, 20)} ${cid.slice(20)}`, 'Not a valid CID: contains spaces or line breaks'],
    [cid.slice(0, -1), 'Not a valid CID: does not decode to a CIDv1: a character is probably missing, extra or mistyped'],
    [`Qm${cid.slice(2, 46)}`, 'Not a valid CID: an old-style CIDv0 (Qm…) cannot name a dataset: dataset CIDs start with "z"'],
    [`b${cid.slice(1)}`, 'Not a valid CID: must start with "z" (a base58btc CIDv1)'],
  ];
  for (const [value, text] of refused) {
    await input.fill(value);
    await waitText(message, text);
    assert.equal(await input.getAttribute('aria-invalid'), 'true', `${value} is marked invalid`);
    assert.match(await input.getAttribute('class'), /cid-input-invalid/);
    assert.ok(await disabledDownload.isDisabled(), `Download is disabled for ${value}`);
    assert.equal(await downloadLink.count(), 0);
    assert.ok(await panel.getByRole('button', { name: 'Save to folder…' }).isDisabled());
  }

  // Empty (or only spaces) is no error, just the hint.
  for (const value of ['', '   ']) {
    await input.fill(value);
    await waitText(message, 'The CID of a file stored on this node or on a connected device.');
    assert.equal(await input.getAttribute('aria-invalid'), null);
    assert.ok(await disabledDownload.isDisabled());
  }

  await input.fill(`  ${cid}  `);
  await waitText(message, '✓ Valid CID');
  assert.equal(await input.getAttribute('aria-invalid'), null);
  assert.match(await input.getAttribute('class'), /cid-input-valid/);
  const back = await saveDownload(page, () => downloadLink.click(), dir);
  assert.equal(sha256(back), sha256(uploaded.content), 'the file downloaded by CID differs from the upload');
  await page.close();
});

test('a file written to a folder on the server machine by CID', async () => {
  const page = await browser.newPage();
  await openApp(page, serve.url);
  await nav(page, 'Restore');
  const panel = page.getByRole('region', { name: 'Download by CID' });
  await panel.getByLabel('CID', { exact: true }).fill(uploaded.cid);
  await panel.getByRole('button', { name: 'Save to folder…' }).click();
  const dest = await mkdtemp(join(tmpdir(), 'archivist-e2e-save-'));
  await panel.getByLabel('Save to folder on this machine').fill(dest);
  await panel.getByRole('button', { name: 'Save', exact: true }).click();
  const saved = panel.locator('code.save-path');
  await saved.waitFor({ timeout: 20000 });
  const path = await saved.textContent();
  assert.ok(path.startsWith(dest), `saved under ${dest}: ${path}`);
  assert.equal(sha256(await readFile(path)), sha256(uploaded.content), 'the saved file differs from the upload');
  await page.close();
});
