// Two devices, each a real `archivist serve` with its own node, driven only
// through their pages: B turns its backup server on, A pastes B's device
// code and B approves; both then list each other as paired and online. A
// file uploaded on A downloads on B by its CID, byte for byte. A folder
// added on A is backed up to B, whose Backup Server page fills with the
// source, the progress and the version with the number of files written.
// Last, every page is photographed with this real data in it.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile, mkdtemp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startServe, launchBrowser, openApp, waitNodeRunning, nav, sha256, saveDownload, waitText, shoot } from './harness.mjs';

let a; // the computer with the files
let b; // the backup machine
let browser;
let pageA;
let pageB;
let tmp;
const ids = {}; // each side's device ID and node peer ID, as its pages show them

before(async () => {
  // B polls its sources every 10 s besides being woken by them (30 s by
  // default), and fetches one file at a time, so its progress can be seen.
  const backupServer = { poll_interval_secs: 10, max_concurrent_downloads: 1 };
  [a, b] = await Promise.all([startServe(), startServe({ config: { backup_server: backupServer } })]);
  browser = await launchBrowser();
  pageA = await (await browser.newContext({ acceptDownloads: true })).newPage();
  pageB = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await Promise.all([openApp(pageA, a.url), openApp(pageB, b.url)]);
  await Promise.all([waitNodeRunning(pageA), waitNodeRunning(pageB)]);
  tmp = await mkdtemp(join(tmpdir(), 'archivist-e2e-devices-'));
});

after(async () => {
  await browser?.close();
  await Promise.all([a?.stop(), b?.stop()]);
});

/** This device's code, device ID and node peer ID, read from its My Devices page. */
async function ownCode(page) {
  await nav(page, 'My Devices');
  const card = page.getByRole('region', { name: 'This device' });
  const code = (await card.locator('code.device-code').textContent({ timeout: 15000 })).trim();
  const deviceId = (await card.locator('code.device-id').textContent()).trim();
  await card.getByText('For pairing with a bare archivist-node').click();
  const multiaddr = (await card.getByText(/\/p2p\//).first().textContent()).trim();
  const peerId = multiaddr.split('/p2p/')[1];
  assert.ok(code.startsWith('archivist1:'), `a device code: ${code}`);
  return { code, deviceId, peerId };
}

/** The card of the paired device whose node has this peer ID, once the page shows it online with a latency. */
async function onlineCard(page, peerId) {
  const card = page.locator('li.device-card').filter({ has: page.locator(`code[title="${peerId}"]`) });
  await card.locator('.device-badge', { hasText: 'Online' }).waitFor({ timeout: 30000 });
  const latency = card.locator('dt', { hasText: 'Latency' }).locator('xpath=following-sibling::dd');
  await page.waitForFunction(
    (el) => /^(<1|\d+) ms$/.test(el.textContent.trim()),
    await latency.elementHandle(),
    { timeout: 30000 },
  );
  return card;
}

test('B becomes a backup server and pairs with A through the pages', async () => {
  await nav(pageB, 'Backup Server');
  await pageB.getByRole('button', { name: 'Enable Daemon' }).click();
  await waitText(pageB.getByTestId('bs-mode'), 'Running', 10000);
  await pageB.getByRole('button', { name: 'Disable Daemon' }).waitFor();

  ids.b = await ownCode(pageB);
  ids.a = await ownCode(pageA);

  await nav(pageA, 'Add Device');
  const codeField = pageA.getByLabel('Device code');
  await codeField.fill(ids.b.code);
  const hint = pageA.locator('.code-ok');
  await hint.waitFor();
  const named = (await hint.textContent()).match(/^✓ Device code of (.+) \(device ID \S+, a backup server\): pairs the two devices for backups\.$/);
  assert.ok(named, await hint.textContent());
  await pageA.getByRole('button', { name: 'Connect', exact: true }).click();
  await pageA.getByRole('heading', { name: 'Device Connected!' }).waitFor({ timeout: 60000 });
  const facts = pageA.locator('.wizard-success');
  assert.equal(await facts.locator('code[title]').getAttribute('title'), ids.b.peerId, 'connected to B\'s node');
  await facts.locator('.device-badge', { hasText: 'Online' }).waitFor();
  // The device is called what its code says (its host name), here and in the pairing outcome.
  await waitText(facts.locator('.device-name-value'), named[1]);
  await waitText(pageA.locator('.pairing-delivered'), `Paired. Approve this device on ${named[1]} to finish (Devices → Pairing requests there).`);
  await shoot(pageA, 'devices-add-success');

  // B sees the request (its page follows events: no reload) and approves it.
  await nav(pageB, 'My Devices');
  const requests = pageB.getByRole('region', { name: /^Pairing requests/ });
  await requests.waitFor({ timeout: 15000 });
  const request = requests.locator('li.pairing-request');
  assert.equal(await request.count(), 1);
  assert.equal(await request.locator('code[title]').first().getAttribute('title'), ids.a.deviceId, 'the request names A\'s device ID');
  await request.getByRole('button', { name: /^Approve/ }).click();
  await pageB.getByRole('status').filter({ hasText: /: the two devices are paired\.$/ }).waitFor();
  await requests.waitFor({ state: 'detached' });

  // Both list the other as a paired device, online, with a measured latency and the backup link.
  const cardOnB = await onlineCard(pageB, ids.a.peerId);
  assert.match(await cardOnB.locator('.link-state').textContent(), /^paired · \S+$/, 'A is paired, and no backup server');
  assert.equal(await cardOnB.locator('.link-state code').getAttribute('title'), ids.a.deviceId);
  await nav(pageA, 'My Devices');
  const cardOnA = await onlineCard(pageA, ids.b.peerId);
  assert.match(await cardOnA.locator('.link-state').textContent(), /^paired · backup server · /);
  assert.equal(await cardOnA.locator('.link-state code').getAttribute('title'), ids.b.deviceId);
  assert.match(await pageA.locator('#paired-devices-title').textContent(), /^Paired devices \(1\)$/);
  assert.match(await pageB.locator('#paired-devices-title').textContent(), /^Paired devices \(1\)$/);
});

test('a file uploaded on A downloads on B by its CID, identical', async () => {
  const content = randomBytes(400 * 1024);
  const file = join(tmp, 'report.pdf');
  await writeFile(file, content);
  await nav(pageA, 'Restore');
  await pageA.locator('input[type="file"]').setInputFiles(file);
  const row = pageA.getByRole('row', { name: /report\.pdf/ });
  await row.waitFor({ timeout: 20000 });
  const cid = await row.locator('code.cid-short').getAttribute('title');

  // On B: paste it. A pasted CID is offered at once: Enter downloads it.
  await nav(pageB, 'Restore');
  const panel = pageB.getByRole('region', { name: 'Download by CID' });
  const input = panel.getByLabel('CID', { exact: true });
  await input.focus();
  await input.evaluate((el, text) => {
    const data = new DataTransfer();
    data.setData('text', text);
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }));
  }, cid);
  await waitText(panel.locator('#files-cid-message'), '✓ Valid CID — press Enter to download it, or save it to a folder.');
  const back = await saveDownload(pageB, () => pageB.keyboard.press('Enter'), tmp, 60000);
  assert.equal(back.length, content.length);
  assert.equal(sha256(back), sha256(content), 'B downloaded other bytes than A uploaded');
});

test('a folder added on A fills B\'s Backup Server page with the real figures', async () => {
  // 18 files: 16 of 2 MiB, so that fetching them one at a time lasts long
  // enough for the page to show it, and 2 small ones.
  const dir = join(tmp, 'Photos 2026');
  await mkdir(join(dir, 'raw'), { recursive: true });
  const FILES = 18;
  let bytes = 0;
  for (let i = 0; i < 16; i++) {
    const data = randomBytes(2 << 20);
    bytes += data.length;
    await writeFile(join(dir, 'raw', `img-${i}.raw`), data);
  }
  for (const [name, text] of [['index.txt', 'photos of 2026'], ['notes.md', '# trip']]) {
    bytes += Buffer.byteLength(text);
    await writeFile(join(dir, name), text);
  }
  const folder = basename(dir);

  // B's page records what its Currently Processing table shows while it runs.
  await nav(pageB, 'Backup Server');
  await pageB.getByRole('heading', { name: 'Backup Server Dashboard' }).waitFor();
  await pageB.evaluate(() => {
    window.seenProgress = [];
    new MutationObserver(() => {
      for (const bar of document.querySelectorAll('section[aria-labelledby="bs-progress-title"] progress')) {
        window.seenProgress.push({ label: bar.getAttribute('aria-label'), value: bar.value, max: bar.max, text: bar.nextElementSibling?.textContent });
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
  });

  await nav(pageA, 'Backups');
  await pageA.getByPlaceholder('/home/you/Documents').fill(dir);
  await pageA.getByRole('button', { name: 'Add Folder', exact: true }).click();
  await pageA.getByRole('article').getByText(`${FILES}/${FILES}`, { exact: true }).waitFor({ timeout: 60000 });

  // The version arrives on B: a processed manifest of A's folder with every file.
  const processed = pageB.getByRole('table', { name: /^Processed Manifests/ });
  const done = processed.getByRole('row').filter({ hasText: folder }).filter({ has: pageB.getByRole('cell', { name: String(FILES), exact: true }) });
  await done.first().waitFor({ timeout: 90000 });
  const cells = await done.first().getByRole('cell').allTextContents();
  assert.equal(cells[1], folder);
  assert.equal(cells[4], String(FILES), `files of the version: ${cells}`);

  // The source: A, answering, with its folder's newest version and its files.
  const source = pageB.getByTestId(`source-${ids.a.deviceId}`);
  await source.waitFor();
  const folderLine = source.getByRole('list', { name: /^Folders of / }).getByRole('listitem').filter({ hasText: folder });
  await pageB.waitForFunction(({ el, n }) => el.textContent.includes(` · ${n} files · `), { el: await folderLine.elementHandle(), n: FILES }, { timeout: 30000 });
  assert.match(await folderLine.textContent(), new RegExp(`^${folder} #\\d+ · \\d+ versions? · ${FILES} files · `));
  assert.match(await source.locator('td').nth(3).textContent(), new RegExp(`^${FILES} files · `));

  // The totals count what was fetched: every file, and at least their bytes.
  const stat = (label) => pageB.locator('.stat-card', { hasText: label }).locator('.stat-value').textContent();
  assert.ok(Number((await stat('Manifests Processed')).replace(/,/g, '')) >= 1);
  assert.equal(await stat('Files Downloaded'), String(FILES));
  assert.equal(await pageB.getByRole('table', { name: /^Failed Manifests/ }).count(), 0, 'nothing failed');

  // And while it ran, the page showed its progress: real counts of this
  // folder's files and bytes (a version may hold the first files only, as A
  // publishes a manifest every 10 changes), never going back.
  const seen = await pageB.evaluate(() => window.seenProgress);
  const bars = (what) => seen.filter((p) => p.label?.startsWith(`${what} of ${folder} #`));
  const files = bars('Files');
  assert.ok(files.length > 0, `no progress of ${folder} was shown while it ran: ${JSON.stringify(seen.slice(0, 5))}`);
  assert.ok(files.every((p) => p.max > 0 && p.max <= FILES && p.value >= 0 && p.value <= p.max), JSON.stringify(files));
  assert.ok(bars('Data').every((p) => p.max > 0 && p.max <= bytes && p.value <= p.max), JSON.stringify(bars('Data')));
  for (const label of new Set(files.map((p) => p.label))) {
    const values = files.filter((p) => p.label === label).map((p) => p.value);
    assert.deepEqual(values, [...values].sort((x, y) => x - y), `${label} went back: ${values}`);
  }
  await shoot(pageB, 'page-backup-server');
});

test('every page, photographed with real data', async () => {
  const shots = [
    [pageA, 'Dashboard', 'dashboard-basic', async () => pageA.getByRole('group', { name: 'Dashboard view' }).getByRole('button', { name: 'Basic' }).click()],
    [pageA, 'Dashboard', 'dashboard-advanced', async () => pageA.getByRole('group', { name: 'Dashboard view' }).getByRole('button', { name: 'Advanced' }).click()],
    [pageA, 'Backups', 'backups', () => pageA.getByRole('article').first().waitFor()],
    [pageA, 'Restore', 'restore', () => pageA.getByRole('row', { name: /report\.pdf/ }).waitFor()],
    [pageA, 'My Devices', 'my-devices', () => pageA.locator('li.device-card .device-badge', { hasText: 'Online' }).waitFor()],
    [pageA, 'Add Device', 'add-device', () => pageA.locator('code.device-code').waitFor()],
    [pageA, 'Logs', 'logs', () => pageA.locator('.log-line').first().waitFor()],
    [pageB, 'Backup Server', 'backup-server', () => pageB.getByRole('table', { name: /^Processed Manifests/ }).waitFor()],
    [pageA, 'Settings', 'settings', () => pageA.getByLabel('Max Storage (GB)').waitFor()],
  ];
  for (const [page, link, name, ready] of shots) {
    await nav(page, link);
    await ready();
    await shoot(page, `page-${name}`);
  }
});
