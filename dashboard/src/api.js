// Talking to the metrics API: JSON routes and the Server-Sent Events stream.

/** An HTTP error from the API, with its JSON error message and Retry-After seconds. */
export class ApiError extends Error {
  constructor(status, message, retryAfter) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

/** GET a JSON route; throws ApiError for a non-2xx answer (503 while the network starts). */
export async function getJson(path, signal) {
  const r = await fetch(path, { signal, headers: { Accept: 'application/json' } });
  let body = null;
  try {
    body = await r.json();
  } catch {
    body = null;
  }
  if (!r.ok) {
    const retry = Number(r.headers.get('Retry-After'));
    throw new ApiError(
      r.status,
      body?.error ?? `${r.status} ${r.statusText}`,
      Number.isFinite(retry) && retry > 0 ? retry : null,
    );
  }
  return body;
}

/** The URL a file is posted to as a task: its name, and the model when one is chosen (else the API's default). */
export function taskUrl(name, modelId) {
  const q = new URLSearchParams({ name });
  if (modelId) q.set('model', modelId);
  return `/api/tasks?${q}`;
}

/**
 * The models a user can submit to, from the page's models (by id, as GET /api/models lists them):
 * [{modelId, label}] sorted by name (unnamed last), and the one chosen when the user picks none:
 * the API's default model, else the first.
 */
export function modelChoices(models) {
  const list = Object.values(models ?? {}).filter((m) => m?.modelId);
  list.sort((a, b) => (a.name ?? '\uffff').localeCompare(b.name ?? '\uffff') || a.modelId.localeCompare(b.modelId));
  const choices = list.map((m) => ({ modelId: m.modelId, label: m.name ?? `${m.modelId.slice(0, 12)}…` }));
  const fallback = list.find((m) => m.default) ?? list[0];
  return { choices, defaultId: fallback?.modelId ?? null };
}

/** The tasks (decisions or pending) of one model, or all of them when no model is given. */
export const forModel = (tasks, modelId) => (modelId ? tasks.filter((t) => t?.modelId === modelId) : tasks);

/** POST an image file as a task, to a model id or (null) the API's default; resolves to {taskId, ...}. */
export async function submitImage(file, modelId = null) {
  return post(taskUrl(file.name, modelId), {
    headers: { 'Content-Type': file.type || 'application/octet-stream' },
    body: file,
  });
}

/**
 * POST a V2 inference request (its JSON text) as a tensor task. The API takes JSON as a
 * multipart/form-data file part of type application/json (a raw JSON body is refused, 415).
 */
export async function submitRequest(json, name, modelId = null) {
  const form = new FormData();
  form.append('request', new Blob([json], { type: 'application/json' }), name);
  return post(taskUrl(name, modelId), { body: form });
}

async function post(url, { headers = {}, body }) {
  const r = await fetch(url, { method: 'POST', headers: { ...headers, Accept: 'application/json' }, body });
  let answer = null;
  try {
    answer = await r.json();
  } catch {
    answer = null;
  }
  if (!r.ok) throw new ApiError(r.status, answer?.error ?? `${r.status} ${r.statusText}`, null);
  return answer;
}

/** URL of a task's input: an image, or a tensor task's V2 request (served as application/octet-stream). */
export const inputUrl = (taskId) => `/api/tasks/${encodeURIComponent(taskId)}/input`;

/** A decision's support: agreeing weight over total weight, or null. */
export function support(c) {
  const a = c?.agreeingWeight;
  const t = c?.totalWeight;
  return typeof a === 'number' && typeof t === 'number' && t > 0 ? a / t : null;
}

/** What each verdict means for the tally: whether the vote counted, and why. */
const VERDICTS = new Map([
  ['AGREED', [true, 'voted the decided label']],
  ['DISAGREED', [true, 'voted another label than the decided one']],
  ['UNDECIDED', [true, 'counted, but no label reached the quorum']],
  ['LATE', [false, 'voted the decided label, but after the decision']],
  ['PENDING', [false, 'had not voted yet when the task was decided']],
  ['MISSED', [false, 'sent no vote by the deadline']],
  ['DRIFTED', [false, 'a near-tie flipped by other hardware: its probabilities match the referee’s; never slashed']],
]);

/** The same meanings for a model whose votes agree by value: they carry values, not a label. */
const BY_VALUE = new Map([
  ['AGREED', 'voted values within tolerance'],
  ['DISAGREED', 'voted values outside tolerance'],
  ['UNDECIDED', 'counted, but no values reached the quorum'],
  ['LATE', 'voted values within tolerance, too late'],
]);

/**
 * Whether a verdict's vote counted toward the tally, and why (an invalid vote: why it did not
 * verify); byValue words it for a model whose votes carry values.
 */
export function verdictMeaning(v, byValue = false) {
  if (v?.verdict === 'INVALID') return { counted: false, why: v?.reason ?? 'vote did not verify' };
  const [counted, why] = VERDICTS.get(v?.verdict) ?? [false, v?.reason ?? 'unknown verdict'];
  return { counted, why: (byValue && BY_VALUE.get(v?.verdict)) || why };
}

/** A decision's label with its class name when the model names its classes ("3 Dress"), else the number. */
export function labelText(label, model) {
  if (label === null || label === undefined) return null;
  const name = model?.labels?.[label];
  return name !== undefined && name !== String(label) ? `${label} ${name}` : String(label);
}

/**
 * A decision's committee: its seats (a number, or 'all' when every eligible peer served the task,
 * one seat each) and each peer with the seats it held, in the order of its first seat.
 */
export function committeeOf(c) {
  const seats = c?.committee ?? [];
  if (!seats.length) return { seats: 'all', peers: (c?.verdicts ?? []).map((v) => ({ peerId: v.peerId, seats: 1 })) };
  const byPeer = new Map();
  for (const p of seats) byPeer.set(p, (byPeer.get(p) ?? 0) + 1);
  return { seats: seats.length, peers: [...byPeer].map(([peerId, n]) => ({ peerId, seats: n })) };
}

/** Why the referee's re-execution decided a task, by escalation reason; null when the seats settled it. */
export function escalationMeaning(reason) {
  switch (reason) {
    case null:
    case undefined:
      return null;
    case 'disagreement':
      return 'the seats disagreed';
    case 'invalid-vote':
      return 'a seat sent an invalid vote';
    case 'missing-seat':
      return 'a seat sent no vote by the deadline';
    case 'no-quorum':
      return 'no label reached the quorum';
    case 'audit':
      return 'picked for an audit';
    default:
      return reason;
  }
}

/** A summary's escalations: how many in all, and the reasons with their counts, most first ("disagreement 2 · audit 1"). */
export function escalationSummary(summary) {
  const entries = Object.entries(summary?.committees?.escalations ?? {}).sort(
    (a, b) => b[1] - a[1] || a[0].localeCompare(b[0]),
  );
  return { total: entries.reduce((n, [, k]) => n + k, 0), text: entries.map(([r, k]) => `${r} ${k}`).join(' · ') };
}
