// Browser test of the dashboard against a running network: submits real digits over HTTP,
// then checks in headless Chromium that they arrive live (thumbnails, labels, votes, a task's
// committee and escalation, peers, dead letters), that the model picker lists every model, uploads
// a Fashion-MNIST image, a wine request (.json file) and a diabetes one (pasted) with it and checks
// how each decision and tensor input is shown, filters the history by model, checks that the
// history fits a 1400 px window, takes a screenshot and fails on any browser console error. The
// network must serve mnist (its default), fashion-mnist, wine and diabetes (DashboardIT's).
//
//   node e2e/dashboard.e2e.mjs --url http://localhost:8000 --samples ../models/mnist/samples \
//       --fashion-samples ../models/fashion-mnist/samples --wine-samples ../models/wine/samples \
//       --diabetes-samples ../models/diabetes/samples \
//       --screenshot target/dashboard.png [--count 12] [--chromium /usr/bin/chromium]
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { requestSummary, shapeText, statsText, valuesText } from '../src/tensors.js';

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const url = (args.url ?? 'http://localhost:8000').replace(/\/$/, '');
const samples = args.samples ?? '../models/mnist/samples';
const fashionSamples = args['fashion-samples'] ?? '../models/fashion-mnist/samples';
const FASHION_SAMPLE = 'fashion-00242-label-9.png'; // an ankle boot the model gets right (predictions.csv)
const wineSamples = args['wine-samples'] ?? '../models/wine/samples';
const diabetesSamples = args['diabetes-samples'] ?? '../models/diabetes/samples';
const WINE_SAMPLE = 'wine-007.json'; // class 0, as the model answers (predictions.csv)
const DIABETES_SAMPLE = 'diabetes-009.json'; // p10 97.56456, p50 209.09045, p90 280.26312 (predictions.csv)
const screenshot = args.screenshot ?? 'dashboard.png';
const count = Number(args.count ?? 12);
const executablePath = args.chromium ?? process.env.CHROMIUM ?? '/usr/bin/chromium';
const TIMEOUT = 60_000;

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    await fn();
    passed++;
    console.log(`ok    ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL  ${name}: ${e?.message ?? e}`);
  }
}
function assert(cond, message) {
  if (!cond) throw new Error(message);
}

const normal = (t) => t.replace(/\s+/g, ' ').trim();

/** The decided row of a task named `name`, its task id and its consensus from the API. */
async function rowNamed(page, name) {
  const row = page.locator('[data-testid="decision-row"]').filter({ has: page.locator(`td.name[title="${name}"]`) });
  await row.waitFor();
  const taskId = await row.getAttribute('data-task-id');
  const c = await (await fetch(`${url}/api/tasks/${taskId}`)).json();
  return { row, taskId, c };
}

/** The tensor summary the task detail shows, checked against the request's own numbers. */
async function checkTensorSummary(page, request) {
  const want = requestSummary(request).tensors;
  const tensors = page.getByTestId('tensor');
  await tensors.first().waitFor();
  assert((await tensors.count()) === want.length, `${await tensors.count()} tensors shown, ${want.length} sent`);
  for (let i = 0; i < want.length; i++) {
    const t = tensors.nth(i);
    assert((await t.getAttribute('data-name')) === want[i].name, `tensor ${i} is not ${want[i].name}`);
    const text = normal(await t.innerText());
    assert(text.includes(want[i].datatype), `tensor ${want[i].name} shows no datatype: "${text}"`);
    const shape = (await t.getByTestId('tensor-shape').innerText()).trim();
    assert(shape === shapeText(want[i].shape), `tensor ${want[i].name} shape "${shape}"`);
    const stats = normal(await t.getByTestId('tensor-stats').innerText());
    assert(stats === statsText(want[i]), `tensor ${want[i].name} stats "${stats}", expected "${statsText(want[i])}"`);
    const first = normal(await t.getByTestId('tensor-first').innerText());
    assert(first.startsWith(want[i].first.slice(0, 3).join(', ')), `tensor ${want[i].name} first values "${first}"`);
  }
}

async function submit(bytes, type, name) {
  const r = await fetch(`${url}/api/tasks?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers: { 'Content-Type': type },
    body: bytes,
  });
  const body = await r.json();
  assert(r.status === 202, `POST /api/tasks answered ${r.status}: ${JSON.stringify(body)}`);
  return body.taskId;
}

// round-robin over the labels in the file names (mnist-00023-label-0.png), so every digit shows
const byLabel = new Map();
for (const f of readdirSync(samples)
  .filter((f) => f.endsWith('.png'))
  .sort()) {
  const label = /label-(\w+)/.exec(f)?.[1] ?? '?';
  byLabel.set(label, [...(byLabel.get(label) ?? []), f]);
}
const files = [];
for (let round = 0; files.length < count && round < 1000; round++) {
  for (const list of byLabel.values()) if (list[round] && files.length < count) files.push(list[round]);
}
assert(files.length === count, `expected ${count} PNG samples in ${samples}, found ${files.length}`);

const userDataDir = mkdtempSync(join(tmpdir(), 'mg-chromium-'));
const consoleErrors = [];
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  viewport: { width: 1480, height: 1000 },
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
  ],
});
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`console: ${m.text()} (${m.location()?.url ?? ''})`);
  });
  page.on('pageerror', (e) => consoleErrors.push(`page error: ${e.message}`));

  await check('the page loads and shows the network', async () => {
    await page.goto(url + '/');
    await page.getByTestId('kpi-completed').waitFor();
    await page.locator('[data-testid="connection"].live').waitFor();
  });

  const ids = [];
  for (const f of files) ids.push(await submit(readFileSync(join(samples, f)), 'image/png', f));
  const bogus = await submit(Buffer.from('this is not an image'), 'image/png', 'not-an-image.png');
  const longName = `${'a-very-long-task-name-'.repeat(228)}end.png`.slice(-5000);
  const long = await submit(readFileSync(join(samples, files[0])), 'image/png', longName);

  await check(`${count} submitted digits arrive live with their thumbnails`, async () => {
    for (const id of ids) {
      const row = page.locator(`[data-testid="decision-row"][data-task-id="${id}"]`);
      await row.waitFor();
      const img = row.locator('img.thumb');
      await img.waitFor();
      await page.waitForFunction((el) => el.complete && el.naturalWidth > 0, await img.elementHandle());
    }
  });

  await check('each row shows the label the API decided', async () => {
    for (const id of ids) {
      const c = await (await fetch(`${url}/api/tasks/${id}`)).json();
      assert(c.status === 'DECIDED', `task ${id} is ${c.status}`);
      const text = (await page.locator(`[data-task-id="${id}"] td.label`).innerText()).trim();
      assert(text === String(c.label), `row of ${id} shows ${text}, the API says ${c.label}`);
    }
  });

  await check('one click on a task shows every peer’s vote, verdict and whether it counted', async () => {
    await page.locator(`[data-task-id="${ids[0]}"]`).click();
    const rows = page.getByTestId('verdict-row');
    await rows.first().waitFor();
    const n = await rows.count();
    assert(n >= 3, `expected at least 3 verdicts, got ${n}`);
    for (let i = 0; i < n; i++) {
      const t = await rows.nth(i).innerText();
      assert(/agreed/.test(t) && /yes/.test(t), `verdict row "${t}"`);
    }
  });

  await check('the task’s detail shows its committee, each peer with its seats, and its escalation', async () => {
    const c = await (await fetch(`${url}/api/tasks/${ids[0]}`)).json();
    const committee = page.getByTestId('committee');
    await committee.waitFor();
    const seats = await committee.getAttribute('data-seats');
    const expected = c.committee?.length ? String(c.committee.length) : 'all';
    assert(seats === expected, `the committee shows ${seats} seats, the API has ${JSON.stringify(c.committee)}`);
    const peers = new Set(c.committee?.length ? c.committee : (c.verdicts ?? []).map((v) => v.peerId));
    const shown = await page.getByTestId('committee-peer').allInnerTexts();
    assert(
      shown.length === peers.size && [...peers].every((p) => shown.some((t) => t.startsWith(p))),
      `committee peers ${JSON.stringify(shown)} for ${JSON.stringify([...peers])}`,
    );
    const escalation = page.getByTestId('escalation');
    if (c.escalation) {
      assert((await escalation.innerText()).includes(c.escalation), `the escalation ${c.escalation} is not shown`);
    } else {
      assert((await escalation.count()) === 0, 'an escalation is shown for a task the seats settled');
    }
  });

  await check('an image uploaded with the model picker on fashion-mnist is decided by it, with its label', async () => {
    const models = await (await fetch(`${url}/api/models`)).json();
    const fashion = models.find((m) => m.name === 'fashion-mnist');
    assert(
      fashion && fashion.peers.length > 0,
      `the network does not serve fashion-mnist: ${JSON.stringify(models.map((m) => m.name))}`,
    );
    const picker = page.getByTestId('model-picker');
    const initial = await picker.inputValue();
    assert(
      initial === models.find((m) => m.default)?.modelId,
      `the picker starts on ${initial}, not the default model`,
    );
    await picker.selectOption({ label: 'fashion-mnist' });
    // a name of its own, so that the row is this upload's even on a network that saw others
    const name = `ankle-boot-${Date.now()}.png`;
    const posted = page.waitForResponse((r) => r.url().includes('/api/tasks?') && r.request().method() === 'POST');
    await page
      .getByTestId('file-input')
      .setInputFiles({ name, mimeType: 'image/png', buffer: readFileSync(join(fashionSamples, FASHION_SAMPLE)) });
    const answer = await posted;
    assert(answer.status() === 202, `the upload answered ${answer.status()}`);
    assert(
      new URL(answer.url()).searchParams.get('model') === fashion.modelId,
      `the upload went to ${answer.url()}, not to fashion-mnist's id`,
    );
    const row = page.locator('[data-testid="decision-row"]').filter({ has: page.locator(`td.name[title="${name}"]`) });
    await row.waitFor();
    const taskId = await row.getAttribute('data-task-id');
    const cell = row.locator('td.label');
    const c = await (await fetch(`${url}/api/tasks/${taskId}`)).json();
    const truth = Number(/label-(\d+)/.exec(FASHION_SAMPLE)[1]);
    assert(
      c.modelId === fashion.modelId,
      `the upload was decided by ${c.modelId}, not fashion-mnist's ${fashion.modelId}`,
    );
    assert(
      c.status === 'DECIDED' && c.label === truth,
      `the ankle boot is ${c.status} ${c.label}, expected DECIDED ${truth}`,
    );
    const text = (await cell.innerText()).trim();
    assert(
      text === `${truth} ${fashion.labels[truth]}`,
      `its row shows "${text}", expected "${truth} ${fashion.labels[truth]}"`,
    );
  });

  let wineTask = null;
  await check('the model picker lists every model the network serves, by name', async () => {
    const models = await (await fetch(`${url}/api/models`)).json();
    const names = models.map((m) => m.name);
    for (const want of ['mnist', 'fashion-mnist', 'wine', 'diabetes']) {
      const m = models.find((x) => x.name === want);
      assert(m && m.peers.length > 0, `the network does not serve ${want}: ${JSON.stringify(names)}`);
    }
    const options = await page.getByTestId('model-picker').locator('option').allInnerTexts();
    assert(
      JSON.stringify(options.map((o) => o.trim())) === JSON.stringify([...names].sort()),
      `the picker lists ${JSON.stringify(options)}, the API ${JSON.stringify(names)}`,
    );
  });

  await check('a wine request uploaded as a .json file is decided by class, its tensor summarised', async () => {
    const models = await (await fetch(`${url}/api/models`)).json();
    const wine = models.find((m) => m.name === 'wine');
    await page.getByTestId('model-picker').selectOption({ label: 'wine' });
    await page.getByTestId('file-button').filter({ hasText: 'requests' }).waitFor();
    const request = readFileSync(join(wineSamples, WINE_SAMPLE), 'utf8');
    const name = `wine-${Date.now()}.json`;
    const posted = page.waitForResponse((r) => r.url().includes('/api/tasks?') && r.request().method() === 'POST');
    await page
      .getByTestId('file-input')
      .setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(request) });
    const answer = await posted;
    assert(answer.status() === 202, `the upload answered ${answer.status()}: ${await answer.text()}`);
    assert(new URL(answer.url()).searchParams.get('model') === wine.modelId, `the upload went to ${answer.url()}`);
    const { row, taskId, c } = await rowNamed(page, name);
    wineTask = taskId;
    assert(c.modelId === wine.modelId && c.status === 'DECIDED' && c.label === 0, `wine: ${JSON.stringify(c)}`);
    const cell = (await row.locator('td.label').innerText()).trim();
    assert(cell === `0 ${wine.labels[0]}`, `its row shows "${cell}", expected "0 ${wine.labels[0]}"`);
    assert((await row.locator('.thumb.tensor').count()) === 1, 'its row has no tensor mark');
    assert((await row.locator('img').count()) === 0, 'its row shows an image');
    await row.click();
    await checkTensorSummary(page, request);
    const shown = (await page.getByTestId('decision-class').innerText()).trim();
    assert(shown === `0 ${wine.labels[0]}`, `the detail shows class "${shown}"`);
    const confidence = (await page.getByTestId('decision-confidence').innerText()).trim();
    assert(confidence === `${Math.round(c.confidence * 100)}%`, `confidence "${confidence}" for ${c.confidence}`);
  });

  await check('a diabetes request pasted is decided by value, shown as p10, p50 and p90', async () => {
    const models = await (await fetch(`${url}/api/models`)).json();
    const diabetes = models.find((m) => m.name === 'diabetes');
    await page.getByTestId('model-picker').selectOption({ label: 'diabetes' });
    await page.getByTestId('paste-toggle').click();
    const request = readFileSync(join(diabetesSamples, DIABETES_SAMPLE), 'utf8');
    const name = `diabetes-${Date.now()}.json`;
    await page.getByTestId('request-text').fill(request);
    await page.getByTestId('request-name').fill(name);
    const posted = page.waitForResponse((r) => r.url().includes('/api/tasks?') && r.request().method() === 'POST');
    await page.getByTestId('request-submit').click();
    const answer = await posted;
    assert(answer.status() === 202, `the upload answered ${answer.status()}: ${await answer.text()}`);
    assert(new URL(answer.url()).searchParams.get('model') === diabetes.modelId, `the upload went to ${answer.url()}`);
    const { row, c } = await rowNamed(page, name);
    assert(c.status === 'DECIDED' && c.values?.length === 3, `diabetes: ${JSON.stringify(c)}`);
    const want = valuesText(c.values, diabetes.elements);
    assert(/^p10 97\.6 · p50 209\.1 · p90 280\.3$/.test(want), `the decided values read "${want}"`);
    const values = row.getByTestId('row-values');
    assert(
      (await values.getAttribute('title')) === want,
      `its row's values read "${await values.getAttribute('title')}"`,
    );
    assert(
      normal(await values.innerText()) === want.replaceAll(' · ', ' '),
      `its row shows "${await values.innerText()}"`,
    );
    await row.click();
    const detail = normal(await page.getByTestId('decision-values').innerText());
    assert(detail === want.replaceAll(' · ', ' '), `the detail shows values "${detail}", expected "${want}"`);
    assert((await page.getByTestId('decision-class').count()) === 0, 'the detail shows a label for a value decision');
    await checkTensorSummary(page, request);
    const head = await page.getByTestId('verdicts').locator('th').allInnerTexts();
    assert(!head.some((h) => /label/i.test(h)), `the verdicts show a label column: ${JSON.stringify(head)}`);
  });

  await check('the history shows one model’s tasks when filtered by it, and every model’s again', async () => {
    const models = await (await fetch(`${url}/api/models`)).json();
    const wine = models.find((m) => m.name === 'wine');
    const filter = page.getByTestId('history-filter');
    await filter.selectOption({ label: 'wine' });
    await page.locator(`[data-testid="decision-row"][data-task-id="${wineTask}"]`).waitFor();
    for (const id of await page.getByTestId('decision-row').evaluateAll((rows) => rows.map((r) => r.dataset.taskId))) {
      const c = await (await fetch(`${url}/api/tasks/${id}`)).json();
      assert(c.modelId === wine.modelId, `task ${id} of ${c.modelId} shown under wine`);
    }
    assert((await page.locator(`[data-task-id="${ids[0]}"]`).count()) === 0, 'a digit is shown under wine');
    await filter.selectOption({ value: '' });
    await page.locator(`[data-testid="decision-row"][data-task-id="${ids[0]}"]`).waitFor();
  });

  await check('at 1400 px the history fits its card, a 5,000-character name cut short with its title', async () => {
    await page.setViewportSize({ width: 1400, height: 1000 });
    const name = page.locator(`[data-testid="decision-row"][data-task-id="${long}"] td.name`);
    await name.waitFor();
    const m = await page.evaluate(() => {
      const wrap = document.querySelector('[data-testid="decisions"]').parentElement;
      return { scroll: wrap.scrollWidth, client: wrap.clientWidth };
    });
    assert(m.scroll <= m.client, `the table is ${m.scroll} px wide in a ${m.client} px card`);
    assert((await name.getAttribute('title')) === longName, 'the long name has no title with the whole name');
    const cut = await name.evaluate(
      (el) => el.scrollWidth > el.clientWidth && getComputedStyle(el).textOverflow === 'ellipsis',
    );
    assert(cut, 'the long name is not cut with an ellipsis');
    await page.setViewportSize({ width: 1480, height: 1000 });
  });

  await check('peers are listed as active, with reputation charts', async () => {
    await page.waitForFunction(() => document.querySelectorAll('[data-testid="peer-row"] .badge.p-active').length >= 3);
    await page.locator('.recharts-line path').first().waitFor();
  });

  await check('the refused input is counted under dead letters by reason', async () => {
    await page.getByTestId('dead-letters').waitFor();
    await page.waitForFunction(() =>
      document.querySelector('[data-testid="dead-letters"]')?.innerText.includes('not-an-image'),
    );
    const c = await (await fetch(`${url}/api/tasks/${bogus}`)).json();
    assert(c.status === 'REJECTED', `the non-image is ${c.status}`);
  });

  await check('throughput and latency are shown, and the model runs per task', async () => {
    await page.waitForFunction(
      () => !/—/.test(document.querySelector('[data-testid="kpi-latency"]')?.innerText ?? '—'),
    );
    await page.waitForFunction(() =>
      /\d/.test(document.querySelector('[data-testid="kpi-inferences"] .value')?.innerText ?? ''),
    );
    await page.getByTestId('kpi-escalations').waitFor();
    await page.locator('.recharts-area').first().waitFor();
    await page.locator('.recharts-bar-rectangle').first().waitFor();
  });

  await page.evaluate(() => {
    window.scrollTo(0, 0);
    document.querySelectorAll('.table-wrap').forEach((t) => t.scrollTo(0, 0));
  });
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`screenshot: ${screenshot}`);

  await check('no console error in the browser', async () => {
    assert(consoleErrors.length === 0, consoleErrors.join('\n'));
  });
} finally {
  await context.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
console.log(`dashboard e2e: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
