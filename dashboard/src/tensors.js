// Models that are not images: how their inputs (V2 inference requests) and outputs (a class, or a
// vector of values) read on the page. Pure functions, tested with `npm test`.

/** Whether a model takes V2 inference requests (tensors) rather than image files. */
export const isTensorModel = (model) => model?.recipe === 'tensors';

/** Whether a model's votes agree by value (a vector of numbers) rather than by class. */
export const isValueModel = (model) => model?.agreement?.by === 'value';

/** A model's name, else the start of its id. */
export const modelName = (model, modelId = model?.modelId) =>
  model?.name ?? (modelId ? `${modelId.slice(0, 12)}…` : '—');

/**
 * A number short enough for a table: one decimal from 10 up (209.09045 → "209.1", 1295 → "1295"),
 * three significant digits below (0.3125 → "0.313"), exponent notation for the very large or small.
 */
export function shortNumber(v) {
  if (typeof v !== 'number') return v === null || v === undefined ? '—' : String(v);
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a === 0) return '0';
  if (a >= 1e6 || a < 1e-3) return v.toExponential(2);
  if (a >= 10) return String(Math.round(v * 10) / 10);
  return String(Number(v.toPrecision(3)));
}

/** An element as written, to six significant digits (an FP32 input's 14.06 stays 14.06). */
export function elementText(v) {
  if (typeof v !== 'number') return JSON.stringify(v);
  if (!Number.isFinite(v) || v === 0) return String(v);
  const a = Math.abs(v);
  return a >= 1e9 || a < 1e-6 ? v.toExponential(3) : String(Number(v.toPrecision(6)));
}

/** A shape as "1 × 13"; a dynamic dimension (-1) reads "?". */
export function shapeText(shape) {
  if (!Array.isArray(shape)) return '—';
  if (!shape.length) return 'scalar';
  return shape.map((d) => (d < 0 ? '?' : String(d))).join(' × ');
}

/**
 * A value decision's elements with their names: the model's element names (p10, p50, p90) when
 * there is one per value, each row's names when the values hold several rows of them, else the
 * index ("#0").
 */
export function valueItems(values, elements) {
  const names = Array.isArray(elements) ? elements : [];
  const n = names.length;
  const rows = n > 0 && values.length > n && values.length % n === 0;
  return values.map((value, i) => ({
    name: n > 0 && values.length === n ? names[i] : rows ? `${names[i % n]}[${Math.floor(i / n)}]` : `#${i}`,
    value,
    text: shortNumber(value),
  }));
}

/** A value decision as one line: "p10 97.6 · p50 209.1 · p90 280.3". */
export const valuesText = (values, elements) =>
  valueItems(values ?? [], elements)
    .map((e) => `${e.name} ${e.text}`)
    .join(' · ');

/**
 * What a decision answered: its values with their names for a value decision (its label is only
 * the index of the agreeing cluster, so it is not shown), else its class, else nothing.
 *
 * @returns {{kind: 'values', items: object[], text: string} | {kind: 'class', label: number} | {kind: 'none'}}
 */
export function decisionOutput(decision, model) {
  const values = decision?.values;
  if (Array.isArray(values) && values.length > 0) {
    return { kind: 'values', items: valueItems(values, model?.elements), text: valuesText(values, model?.elements) };
  }
  if (isValueModel(model)) return { kind: 'none' };
  const label = decision?.label;
  return label === null || label === undefined ? { kind: 'none' } : { kind: 'class', label };
}

/** A value model's tolerance in words: "each element within 0.1% (relative)". */
export function toleranceText(agreement) {
  const t = agreement?.tolerance;
  if (!t || typeof t.value !== 'number') return null;
  switch (t.kind) {
    case 'absolute':
      return `each element within ±${shortNumber(t.value)}`;
    case 'relative':
      return `each element within ${shortNumber(t.value * 100)}% (relative)`;
    case 'cosine':
      return `cosine distance at most ${shortNumber(t.value)}`;
    default:
      return `${t.kind} ${shortNumber(t.value)}`;
  }
}

/** A tensor's data, nested as its shape or flat, as one flat list. */
export function flatten(data) {
  if (!Array.isArray(data)) return data === undefined ? [] : [data];
  const out = [];
  const walk = (d) => {
    for (const x of d) {
      if (Array.isArray(x)) walk(x);
      else out.push(x);
    }
  };
  walk(data);
  return out;
}

const FIRST = 6;

/**
 * One input tensor of a V2 request, summarised: its name, datatype and shape, how many elements it
 * holds (and how many its shape says), min, mean and max of its numbers, and its first few
 * elements as text.
 */
export function tensorSummary(tensor) {
  const flat = flatten(tensor?.data);
  const nums = flat.map((x) => (typeof x === 'boolean' ? Number(x) : x)).filter((x) => typeof x === 'number');
  const numeric = flat.length > 0 && nums.length === flat.length;
  let min = null;
  let max = null;
  let mean = null;
  if (numeric) {
    min = Infinity;
    max = -Infinity;
    let sum = 0;
    for (const x of nums) {
      if (x < min) min = x;
      if (x > max) max = x;
      sum += x;
    }
    mean = sum / nums.length;
  }
  const shape = Array.isArray(tensor?.shape) ? tensor.shape : null;
  const expected = shape && shape.every((d) => Number.isInteger(d) && d >= 0) ? shape.reduce((a, d) => a * d, 1) : null;
  return {
    name: tensor?.name ?? '—',
    datatype: tensor?.datatype ?? '—',
    shape,
    count: flat.length,
    expected,
    min,
    mean,
    max,
    first: flat.slice(0, FIRST).map(elementText),
    more: Math.max(0, flat.length - FIRST),
  };
}

/** A tensor summary's statistics as one line: "13 values · min 0.31 · mean 118.2 · max 1295". */
export function statsText(s) {
  const count = `${s.count} value${s.count === 1 ? '' : 's'}`;
  if (s.min === null) return count;
  return `${count} · min ${shortNumber(s.min)} · mean ${shortNumber(s.mean)} · max ${shortNumber(s.max)}`;
}

/** A tensor summary's first elements: "14.06, 2.15, 2.61, 17.6, 121, 2.6, … (7 more)". */
export const firstText = (s) => `${s.first.join(', ')}${s.more > 0 ? `, … (${s.more} more)` : ''}`;

/**
 * A task's input read as a V2 inference request: the summary of each input tensor, or why it is
 * not one.
 *
 * @param body the request's JSON text, or the parsed object
 * @returns {{tensors: object[]} | {error: string}}
 */
export function requestSummary(body) {
  let root = body;
  if (typeof body === 'string') {
    try {
      root = JSON.parse(body);
    } catch (e) {
      return { error: `not JSON (${e?.message ?? e})` };
    }
  }
  if (!root || typeof root !== 'object' || !Array.isArray(root.inputs)) {
    return { error: 'not a V2 inference request: it has no "inputs" array' };
  }
  if (!root.inputs.length) return { error: 'a V2 inference request needs at least one input' };
  return { tensors: root.inputs.map(tensorSummary) };
}

/**
 * Why a request cannot go to a model, checked before it is posted, or null when it looks right:
 * JSON with an "inputs" array, each tensor of a name, datatype and shape the model takes (a
 * dynamic dimension, -1, takes any size), holding as many elements as its shape says. The peers
 * check it again, and refuse what does not fit (bad-tensor).
 */
export function requestProblem(text, model) {
  const r = requestSummary(text);
  if (r.error) return r.error;
  const specs = Array.isArray(model?.inputs) ? model.inputs : null;
  for (const t of r.tensors) {
    if (!t.shape) return `input ${t.name} has no shape`;
    if (t.expected !== null && t.count !== t.expected) {
      return `input ${t.name} holds ${t.count} elements, its shape ${shapeText(t.shape)} says ${t.expected}`;
    }
    if (!specs) continue;
    const spec = specs.find((s) => s.name === t.name);
    if (!spec) return `the model has no input ${t.name} (it takes ${specs.map((s) => s.name).join(', ')})`;
    if (spec.datatype && spec.datatype !== t.datatype) {
      return `input ${t.name} is ${t.datatype}, the model takes ${spec.datatype}`;
    }
    const fits =
      Array.isArray(spec.shape) &&
      spec.shape.length === t.shape.length &&
      spec.shape.every((d, i) => d < 0 || d === t.shape[i]);
    if (!fits) return `input ${t.name} is ${shapeText(t.shape)}, the model takes ${shapeText(spec.shape)}`;
  }
  if (specs) {
    const missing = specs.filter((s) => !r.tensors.some((t) => t.name === s.name)).map((s) => s.name);
    if (missing.length) return `the request lacks input ${missing.join(', ')}`;
  }
  return null;
}

/**
 * A request a user can edit for a tensor model: each of its inputs, one row where a dimension is
 * dynamic, filled with zeros; one line of JSON.
 */
export function requestTemplate(model) {
  const inputs = (model?.inputs ?? []).map((s) => {
    const shape = (s.shape ?? []).map((d) => (d < 0 ? 1 : d));
    const n = shape.reduce((a, d) => a * d, 1);
    return { name: s.name, datatype: s.datatype, shape, data: new Array(n).fill(0) };
  });
  return JSON.stringify({ inputs });
}
