// How tensor inputs and value outputs read on the page, and the model picker and filter.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { forModel, modelChoices, taskUrl, verdictMeaning } from '../src/api.js';
import {
  decisionOutput,
  elementText,
  firstText,
  flatten,
  isTensorModel,
  isValueModel,
  modelName,
  requestProblem,
  requestSummary,
  requestTemplate,
  shapeText,
  shortNumber,
  statsText,
  tensorSummary,
  toleranceText,
  valueItems,
  valuesText,
} from '../src/tensors.js';

// the models as GET /api/models describes them
const id = (c) => c.repeat(64);
const mnist = {
  modelId: id('a'),
  name: 'mnist',
  labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  recipe: 'mnist-digit',
  inputs: [{ name: 'input', datatype: 'FP32', shape: [-1, 1, 28, 28] }],
  agreement: { by: 'class', output: 'logits' },
  default: true,
};
const wine = {
  modelId: id('b'),
  name: 'wine',
  labels: ['class_0', 'class_1', 'class_2'],
  recipe: 'tensors',
  inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 13] }],
  outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 3] }],
  agreement: { by: 'class', output: 'logits' },
  default: false,
};
const diabetes = {
  modelId: id('c'),
  name: 'diabetes',
  labels: null,
  recipe: 'tensors',
  inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 10] }],
  outputs: [{ name: 'quantiles', datatype: 'FP32', shape: [-1, 3] }],
  agreement: { by: 'value', output: 'quantiles', tolerance: { kind: 'relative', value: 0.001 } },
  elements: ['p10', 'p50', 'p90'],
  default: false,
};
const WINE_007 = readFileSync(new URL('../../models/wine/samples/wine-007.json', import.meta.url), 'utf8');

test('a model reads as tensors or images, and by value or by class, from its description', () => {
  assert.equal(isTensorModel(wine), true);
  assert.equal(isTensorModel(diabetes), true);
  assert.equal(isTensorModel(mnist), false);
  assert.equal(isTensorModel({ modelId: id('d') }), false); // not described: an image model, as before
  assert.equal(isValueModel(diabetes), true);
  assert.equal(isValueModel(wine), false);
  assert.equal(isValueModel(undefined), false);
  assert.equal(modelName(wine), 'wine');
  assert.equal(modelName(undefined, id('d')), `${'d'.repeat(12)}…`);
});

test('numbers are short: one decimal from 10 up, three significant digits below', () => {
  assert.equal(shortNumber(97.56456), '97.6');
  assert.equal(shortNumber(209.09045), '209.1');
  assert.equal(shortNumber(1295), '1295');
  assert.equal(shortNumber(121.0), '121');
  assert.equal(shortNumber(2.15), '2.15');
  assert.equal(shortNumber(0.31), '0.31');
  assert.equal(shortNumber(0.123456), '0.123');
  assert.equal(shortNumber(-0.0406), '-0.0406');
  assert.equal(shortNumber(0), '0');
  assert.equal(shortNumber(12345678), '1.23e+7');
  assert.equal(shortNumber(0.00001234), '1.23e-5');
  assert.equal(shortNumber(NaN), 'NaN');
  assert.equal(shortNumber(null), '—');
});

test('an input element reads as written, to six significant digits', () => {
  assert.equal(elementText(14.06), '14.06');
  assert.equal(elementText(0.1 + 0.2), '0.3');
  assert.equal(elementText(1295), '1295');
  assert.equal(elementText(-3.14159265), '-3.14159');
  assert.equal(elementText(1e-9), '1.000e-9');
  assert.equal(elementText(0), '0');
  assert.equal(elementText(true), 'true');
  assert.equal(elementText('a'), '"a"');
});

test('a shape reads "1 × 13", a dynamic dimension "?"', () => {
  assert.equal(shapeText([1, 13]), '1 × 13');
  assert.equal(shapeText([-1, 1, 28, 28]), '? × 1 × 28 × 28');
  assert.equal(shapeText([]), 'scalar');
  assert.equal(shapeText(undefined), '—');
});

test('a value decision shows its values under the model’s element names, not its label', () => {
  const d = { status: 'DECIDED', label: 0, values: [97.56456, 209.09045, 280.26312], confidence: 0 };
  const out = decisionOutput(d, diabetes);
  assert.equal(out.kind, 'values');
  assert.equal(out.text, 'p10 97.6 · p50 209.1 · p90 280.3');
  assert.deepEqual(
    out.items.map((e) => e.name),
    ['p10', 'p50', 'p90'],
  );
  // without element names, by index; several rows of them, by row
  assert.equal(valuesText([1.5, 2.25], null), '#0 1.5 · #1 2.25');
  assert.deepEqual(
    valueItems([1, 2, 3, 4, 5, 6], ['p10', 'p50', 'p90']).map((e) => e.name),
    ['p10[0]', 'p50[0]', 'p90[0]', 'p10[1]', 'p50[1]', 'p90[1]'],
  );
  assert.equal(valuesText([1, 2], ['p10', 'p50', 'p90']), '#0 1 · #1 2');
  // a value model's decision without values (not decided) shows no label
  assert.deepEqual(decisionOutput({ status: 'NO_QUORUM', label: 1 }, diabetes), { kind: 'none' });
});

test('a class decision shows its class, with or without a described model', () => {
  assert.deepEqual(decisionOutput({ status: 'DECIDED', label: 1, confidence: 0.97 }, wine), {
    kind: 'class',
    label: 1,
  });
  assert.deepEqual(decisionOutput({ status: 'DECIDED', label: 7 }, undefined), { kind: 'class', label: 7 });
  assert.deepEqual(decisionOutput({ status: 'REJECTED', label: null }, wine), { kind: 'none' });
  assert.deepEqual(decisionOutput(undefined, undefined), { kind: 'none' });
});

test('a value model’s tolerance reads in words', () => {
  assert.equal(toleranceText(diabetes.agreement), 'each element within 0.1% (relative)');
  assert.equal(toleranceText({ by: 'value', tolerance: { kind: 'absolute', value: 0.5 } }), 'each element within ±0.5');
  assert.equal(
    toleranceText({ by: 'value', tolerance: { kind: 'cosine', value: 0.01 } }),
    'cosine distance at most 0.01',
  );
  assert.equal(toleranceText(wine.agreement), null);
});

test('a V2 request’s tensors are summarised: name, datatype, shape, count, min, mean, max, first values', () => {
  const r = requestSummary(WINE_007);
  assert.equal(r.tensors.length, 1);
  const t = r.tensors[0];
  assert.equal(t.name, 'features');
  assert.equal(t.datatype, 'FP32');
  assert.deepEqual(t.shape, [1, 13]);
  assert.equal(t.count, 13);
  assert.equal(t.expected, 13);
  assert.equal(t.min, 0.31);
  assert.equal(t.max, 1295);
  assert.ok(Math.abs(t.mean - 1468.78 / 13) < 1e-9, `mean ${t.mean}`);
  assert.equal(statsText(t), '13 values · min 0.31 · mean 113 · max 1295');
  assert.equal(firstText(t), '14.06, 2.15, 2.61, 17.6, 121, 2.6, … (7 more)');
});

test('nested data is read row-major, and non-numbers are counted without statistics', () => {
  assert.deepEqual(
    flatten([
      [1, 2],
      [3, [4]],
    ]),
    [1, 2, 3, 4],
  );
  assert.deepEqual(flatten(5), [5]);
  assert.deepEqual(flatten(undefined), []);
  const t = tensorSummary({
    name: 'x',
    datatype: 'FP32',
    shape: [2, 2],
    data: [
      [1, 2],
      [3, 4],
    ],
  });
  assert.equal(t.count, 4);
  assert.equal(t.mean, 2.5);
  assert.equal(firstText(t), '1, 2, 3, 4');
  const b = tensorSummary({ name: 's', datatype: 'BYTES', shape: [1], data: ['hi'] });
  assert.equal(b.min, null);
  assert.equal(statsText(b), '1 value');
  assert.equal(firstText(b), '"hi"');
  const short = tensorSummary({ name: 'y', datatype: 'FP32', shape: [1, 3], data: [1, 2] });
  assert.equal(short.expected, 3);
  assert.equal(short.count, 2);
});

test('an input that is not a V2 request says why', () => {
  assert.match(requestSummary('{"inputs": [').error, /^not JSON/);
  assert.match(requestSummary('{"instances": []}').error, /no "inputs" array/);
  assert.match(requestSummary('[1, 2]').error, /no "inputs" array/);
  assert.match(requestSummary('{"inputs": []}').error, /at least one input/);
  assert.match(requestSummary('\x89PNG').error, /^not JSON/);
});

test('a request is checked against the model before it is posted', () => {
  assert.equal(requestProblem(WINE_007, wine), null);
  assert.match(requestProblem(WINE_007, diabetes), /is 1 × 13, the model takes \? × 10/);
  assert.match(
    requestProblem('{"inputs": [{"name": "x", "datatype": "FP32", "shape": [1, 13], "data": []}]}', wine),
    /holds 0 elements, its shape 1 × 13 says 13/,
  );
  const other = JSON.parse(WINE_007);
  other.inputs[0].name = 'other';
  assert.match(requestProblem(JSON.stringify(other), wine), /no input other \(it takes features\)/);
  other.inputs[0].name = 'features';
  other.inputs[0].datatype = 'FP64';
  assert.match(requestProblem(JSON.stringify(other), wine), /is FP64, the model takes FP32/);
  assert.match(requestProblem('nope', wine), /^not JSON/);
  // a model without a description: only the request's own consistency
  assert.equal(requestProblem(WINE_007, undefined), null);
});

test('a request template fills the model’s inputs with zeros, one row for a dynamic dimension', () => {
  const t = JSON.parse(requestTemplate(diabetes));
  assert.deepEqual(t, {
    inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 10], data: new Array(10).fill(0) }],
  });
  assert.equal(requestProblem(requestTemplate(diabetes), diabetes), null);
  assert.deepEqual(JSON.parse(requestTemplate(undefined)), { inputs: [] });
});

test('the picker lists every model, tensor ones included, and submits to the picked id', () => {
  const models = Object.fromEntries([mnist, wine, diabetes].map((m) => [m.modelId, m]));
  const { choices, defaultId } = modelChoices(models);
  assert.deepEqual(
    choices.map((c) => c.label),
    ['diabetes', 'mnist', 'wine'],
  );
  assert.equal(defaultId, mnist.modelId);
  assert.equal(taskUrl('wine-007.json', wine.modelId), `/api/tasks?name=wine-007.json&model=${wine.modelId}`);
});

test('the history shows every model’s tasks, or one model’s', () => {
  const tasks = [
    { taskId: '1', modelId: wine.modelId },
    { taskId: '2', modelId: mnist.modelId },
    { taskId: '3', modelId: wine.modelId },
  ];
  assert.deepEqual(
    forModel(tasks, wine.modelId).map((t) => t.taskId),
    ['1', '3'],
  );
  assert.equal(forModel(tasks, null), tasks);
});

test('a value model’s verdicts speak of values, not labels', () => {
  assert.match(verdictMeaning({ verdict: 'AGREED' }, true).why, /values within tolerance/);
  assert.match(verdictMeaning({ verdict: 'DISAGREED' }, true).why, /values outside tolerance/);
  assert.equal(verdictMeaning({ verdict: 'AGREED' }, true).counted, true);
  assert.equal(verdictMeaning({ verdict: 'MISSED' }, true).why, 'sent no vote by the deadline');
  assert.equal(verdictMeaning({ verdict: 'AGREED' }).why, 'voted the decided label');
});
