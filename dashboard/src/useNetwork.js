import { useCallback, useEffect, useReducer, useRef } from 'react';
import { ApiError, getJson } from './api.js';

const MAX_DECISIONS = 60;
const MAX_PENDING = 40;
const MAX_POINTS = 500;
const MAX_RECENT_DEAD = 50;

export const initial = {
  connection: 'connecting', // connecting | live | reconnecting
  loaded: false, // the first full load succeeded
  ready: null, // null: unknown yet; false: the network's stores are starting
  error: null, // a message while the API fails for another reason
  summary: null,
  decisions: [],
  pending: [],
  peers: [],
  histories: {},
  dead: null,
  models: {},
  selected: null,
};

function addDecisions(state, list) {
  const byId = new Map(state.decisions.map((d) => [d.taskId, d]));
  for (const d of list) if (d?.taskId) byId.set(d.taskId, d);
  const decisions = [...byId.values()].sort((a, b) => (b.decidedAt ?? 0) - (a.decidedAt ?? 0)).slice(0, MAX_DECISIONS);
  const decided = new Set(list.map((d) => d.taskId));
  return { ...state, decisions, pending: state.pending.filter((p) => !decided.has(p.taskId)) };
}

/** The page's state transitions: the full load, then each Server-Sent Event. */
export function reducer(state, action) {
  switch (action.type) {
    case 'loaded': {
      const s = addDecisions({ ...state, decisions: [] }, action.decisions);
      const models = Object.fromEntries((action.models ?? []).filter((m) => m?.modelId).map((m) => [m.modelId, m]));
      return {
        ...s,
        loaded: true,
        ready: true,
        error: null,
        summary: action.summary,
        peers: action.peers,
        histories: action.histories,
        dead: action.dead,
        models,
      };
    }
    case 'not-ready':
      return { ...state, ready: false, error: null };
    case 'error':
      return { ...state, error: action.message };
    case 'connection':
      return { ...state, connection: action.value };
    case 'summary':
      if (action.value?.ready === false) return { ...state, ready: false };
      return { ...state, ready: true, summary: action.value };
    case 'consensus':
      return addDecisions(state, action.value);
    case 'tasks': {
      const known = new Set([...state.decisions.map((d) => d.taskId), ...state.pending.map((p) => p.taskId)]);
      const fresh = action.value.filter((t) => t?.taskId && !known.has(t.taskId));
      if (!fresh.length) return state;
      const cutoff = Date.now() - 120_000;
      const pending = [...fresh.reverse(), ...state.pending]
        .filter((p) => (p.submittedAt ?? 0) > cutoff)
        .slice(0, MAX_PENDING);
      return { ...state, pending };
    }
    case 'reputation': {
      const histories = { ...state.histories };
      let peers = state.peers;
      for (const p of action.value) {
        const id = p?.peerId;
        if (!id) continue;
        histories[id] = [...(histories[id] ?? []), p].slice(-MAX_POINTS);
        if (peers.some((x) => x.peerId === id)) {
          peers = peers.map((x) => (x.peerId === id ? { ...x, reputation: { ...(x.reputation ?? {}), ...p } } : x));
        }
      }
      return { ...state, histories, peers };
    }
    case 'peers':
      return { ...state, peers: action.value };
    case 'dead-letters': {
      const dead = state.dead ?? { total: 0, byReason: {}, bySource: {}, byComponent: {}, recent: [] };
      const byReason = { ...(dead.byReason ?? {}) };
      for (const d of action.value) byReason[d.reason ?? 'unknown'] = (byReason[d.reason ?? 'unknown'] ?? 0) + 1;
      return {
        ...state,
        dead: {
          ...dead,
          total: (dead.total ?? 0) + action.value.length,
          byReason,
          recent: [...[...action.value].reverse(), ...(dead.recent ?? [])].slice(0, MAX_RECENT_DEAD),
        },
      };
    }
    case 'select':
      return { ...state, selected: action.value };
    default:
      return state;
  }
}

/** The network's live state: a full load over REST, then Server-Sent Events, retrying while it starts. */
export function useNetwork() {
  const [state, dispatch] = useReducer(reducer, initial);
  const retry = useRef(null);
  const loading = useRef(false);

  const load = useCallback(async () => {
    if (loading.current) return;
    loading.current = true;
    clearTimeout(retry.current);
    try {
      const [summary, decisions, peers, dead, models] = await Promise.all([
        getJson('/api/summary'),
        getJson('/api/consensus?limit=' + MAX_DECISIONS),
        getJson('/api/peers'),
        getJson('/api/dead-letters'),
        getJson('/api/models'),
      ]);
      const histories = {};
      await Promise.all(
        (peers ?? []).map(async (p) => {
          const doc = await getJson('/api/peers/' + encodeURIComponent(p.peerId));
          histories[p.peerId] = doc?.history ?? [];
        }),
      );
      dispatch({ type: 'loaded', summary, decisions: decisions ?? [], peers: peers ?? [], histories, dead, models });
    } catch (e) {
      if (e instanceof ApiError && e.status === 503) {
        dispatch({ type: 'not-ready' });
        retry.current = setTimeout(load, (e.retryAfter ?? 1) * 1000);
      } else {
        dispatch({
          type: 'error',
          message: e instanceof ApiError ? e.message : `cannot reach the API (${e?.message ?? e})`,
        });
        retry.current = setTimeout(load, 3000);
      }
    } finally {
      loading.current = false;
    }
  }, []);

  useEffect(() => () => clearTimeout(retry.current), []);

  // load in full once the event stream says the stores are ready (no 503s meanwhile)
  useEffect(() => {
    if (state.ready && !state.loaded) load();
  }, [state.ready, state.loaded, load]);

  useEffect(() => {
    const es = new EventSource('/api/events');
    // without any summary event soon (a proxy that buffers the stream...), load over REST alone
    const fallback = setTimeout(load, 3000);
    es.addEventListener('summary', () => clearTimeout(fallback), { once: true });
    const on = (name, type) =>
      es.addEventListener(name, (ev) => {
        try {
          dispatch({ type, value: JSON.parse(ev.data) });
        } catch {
          // a malformed event is skipped; the next summary repairs the view
        }
      });
    let opened = false;
    es.onopen = () => {
      dispatch({ type: 'connection', value: 'live' });
      // after a reconnect, fetch in full what the stream said while it was down
      if (opened) load();
      opened = true;
    };
    es.onerror = () => {
      dispatch({ type: 'connection', value: 'reconnecting' });
      if (!opened) {
        clearTimeout(fallback);
        load();
      }
    };
    on('summary', 'summary');
    on('consensus', 'consensus');
    on('task', 'tasks');
    on('reputation', 'reputation');
    on('dead-letter', 'dead-letters');
    return () => {
      clearTimeout(fallback);
      es.close();
    };
  }, [load]);

  // peers change status (active, evicted, left) without a reputation update: poll them
  useEffect(() => {
    if (!state.loaded) return undefined;
    const id = setInterval(async () => {
      try {
        dispatch({ type: 'peers', value: await getJson('/api/peers') });
      } catch {
        // the summary event reports readiness; keep the last list meanwhile
      }
    }, 5000);
    return () => clearInterval(id);
  }, [state.loaded]);

  const select = useCallback((taskId) => dispatch({ type: 'select', value: taskId }), []);
  return { state, select, reload: load };
}
