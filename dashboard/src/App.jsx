import { useEffect, useRef, useState } from 'react';
import {
  committeeOf,
  escalationMeaning,
  escalationSummary,
  forModel,
  inputUrl,
  labelText,
  modelChoices,
  submitImage,
  submitRequest,
  support,
  verdictMeaning,
} from './api.js';
import {
  decisionOutput,
  firstText,
  isTensorModel,
  isValueModel,
  modelName,
  requestProblem,
  requestSummary,
  requestTemplate,
  shapeText,
  statsText,
  toleranceText,
} from './tensors.js';
import { DeadLetterChart, LatencyChart, PALETTE, PeerHistoryChart, ThroughputChart } from './charts.jsx';
import { useNetwork } from './useNetwork.js';

const num = (v, digits = 0) =>
  typeof v === 'number' && Number.isFinite(v)
    ? v.toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '—';
const ms = (v) => (typeof v === 'number' ? (v >= 1000 ? `${num(v / 1000, 2)} s` : `${num(v)} ms`) : '—');
const pct = (v) => (typeof v === 'number' ? `${num(v * 100, 0)}%` : '—');
const ago = (t) => {
  if (typeof t !== 'number') return '—';
  const s = Math.max(0, Math.round((Date.now() - t) / 1000));
  return s < 60 ? `${s} s ago` : s < 3600 ? `${Math.round(s / 60)} min ago` : new Date(t).toLocaleString();
};

export default function App() {
  const { state, select, reload } = useNetwork();
  const [shown, setShown] = useState(null); // the model whose tasks the history shows; null: every model
  const selected = state.decisions.find((d) => d.taskId === state.selected) ?? null;
  return (
    <div className="page">
      <Header state={state} />
      <StatusBanner state={state} reload={reload} />
      {!state.loaded ? (
        <Loading state={state} />
      ) : (
        <main>
          <Kpis summary={state.summary} dead={state.dead} />
          <div className="grid two">
            <Card title="Throughput" subtitle="decisions per second, last minute">
              <ThroughputChart series={state.summary?.throughput} />
            </Card>
            <Card
              title="Latency"
              subtitle={`submission to decision, newest ${num(state.summary?.latency?.count)} decisions`}
            >
              {state.summary?.latency?.count ? (
                <LatencyChart histogram={state.summary?.latency?.histogram} />
              ) : (
                <p className="empty">No decisions yet.</p>
              )}
            </Card>
          </div>
          <div className="grid main-split">
            <Card
              title="Consensus history"
              subtitle="newest first · click a task for its votes"
              right={<ModelFilter models={state.models} value={shown} onChange={setShown} />}
            >
              <SubmitBar models={state.models} />
              <Decisions
                decisions={forModel(state.decisions, shown)}
                pending={forModel(state.pending, shown)}
                selected={state.selected}
                onSelect={select}
                models={state.models}
              />
            </Card>
            <Card
              title={selected ? `Task ${selected.name ?? selected.taskId.slice(0, 8)}` : 'Votes'}
              subtitle={selected ? selected.taskId : 'select a task'}
            >
              <Votes decision={selected} onClose={() => select(null)} model={state.models?.[selected?.modelId]} />
            </Card>
          </div>
          <Peers peers={state.peers} histories={state.histories} active={state.summary?.activePeers} />
          <DeadLetters dead={state.dead} />
        </main>
      )}
      <footer>
        mini-gradient · <a href="/api/openapi.json">API</a> · <a href="/metrics">/metrics</a> ·{' '}
        <a href="/prometheus">/prometheus</a>
      </footer>
    </div>
  );
}

function Header({ state }) {
  const label = { connecting: 'connecting', live: 'live', reconnecting: 'reconnecting' }[state.connection];
  return (
    <header>
      <div className="brand">
        <img src="/favicon.svg" alt="" width="28" height="28" />
        <div>
          <h1>mini-gradient</h1>
          <p>decentralized inference on Kafka · peers vote, Kafka Streams decides</p>
        </div>
      </div>
      <span className={`pill ${state.connection}`} data-testid="connection">
        <span className="dot" /> {label}
      </span>
    </header>
  );
}

function StatusBanner({ state, reload }) {
  if (state.error) {
    return (
      <div className="banner error" role="alert">
        <b>{state.error}</b>. Retrying every few seconds…{' '}
        <button type="button" onClick={reload}>
          Retry now
        </button>
      </div>
    );
  }
  if (state.ready === false) {
    return (
      <div className="banner warn">
        The network is starting: its state stores are restoring. The page fills in as soon as they are ready.
      </div>
    );
  }
  if (state.connection === 'reconnecting') {
    return <div className="banner warn">Live updates interrupted; reconnecting… (figures below may be stale)</div>;
  }
  return null;
}

function Loading({ state }) {
  return (
    <div className="loading" aria-busy="true">
      <div className="spinner" />
      <p>
        {state.ready === false
          ? 'Waiting for the network’s state stores…'
          : state.error
            ? 'Waiting for the API…'
            : 'Loading the network…'}
      </p>
    </div>
  );
}

function Card({ title, subtitle, right, children }) {
  return (
    <section className="card">
      <div className="card-head">
        <div>
          <h2>{title}</h2>
          {subtitle && <p className="sub">{subtitle}</p>}
        </div>
        {right}
      </div>
      {children}
    </section>
  );
}

function Kpis({ summary, dead }) {
  const escalations = escalationSummary(summary);
  const items = [
    ['Tasks submitted', num(summary?.tasksSubmitted), 'read from inference.tasks', 'kpi-submitted'],
    ['Tasks completed', num(summary?.tasksCompleted), `${num(summary?.decisions)} decisions in all`, 'kpi-completed'],
    ['Throughput', `${num(summary?.throughputPerSecond, 1)}/s`, 'decisions, last 10 s', 'kpi-throughput'],
    [
      'Latency p50 / p99',
      `${ms(summary?.latency?.p50Ms)} / ${ms(summary?.latency?.p99Ms)}`,
      `max ${ms(summary?.latency?.maxMs)}`,
      'kpi-latency',
    ],
    ['Active peers', num(summary?.activePeers?.length), `${num(summary?.peersKnown)} in the ledger`, 'kpi-peers'],
    ['Dead letters', num(dead?.total ?? summary?.deadLetters), 'records nobody could process', 'kpi-dead'],
    [
      'Escalations',
      num(escalations.total),
      escalations.text || 'tasks the referee’s re-run decided',
      'kpi-escalations',
    ],
    [
      'Model runs per task',
      num(summary?.committees?.inferencesPerDecision, 2),
      `${num(summary?.committees?.inferences)} in all · mean seats ${num(summary?.committees?.meanSeats, 1)}`,
      'kpi-inferences',
    ],
  ];
  const byStatus = Object.entries(summary?.byStatus ?? {});
  return (
    <>
      <div className="kpis">
        {items.map(([label, value, hint, id]) => (
          <div className="kpi" key={id} data-testid={id}>
            <span className="label">{label}</span>
            <span className="value">{value}</span>
            <span className="hint">{hint}</span>
          </div>
        ))}
      </div>
      {byStatus.length > 0 && (
        <div className="statuses">
          {byStatus.map(([s, n]) => (
            <span key={s} className={`badge ${s}`}>
              {s.replaceAll('_', ' ').toLowerCase()} <b>{num(n)}</b>
            </span>
          ))}
        </div>
      )}
    </>
  );
}

/** A table's header row: the text columns, then the right-aligned numeric ones. */
function HeaderRow({ text, numeric }) {
  return (
    <tr>
      {text.map((name) => (
        <th key={name}>{name}</th>
      ))}
      {numeric.map((name, i) => (
        <th key={i} className="r">
          {name}
        </th>
      ))}
    </tr>
  );
}

/** A task row's first cells: its input's thumbnail (a mark for a tensor task), and its name (else the start of its id). */
function TaskCells({ task, model }) {
  return (
    <>
      <td>{isTensorModel(model) ? <TensorMark model={model} /> : <Thumb taskId={task.taskId} />}</td>
      <td className="name" title={task.name ?? task.taskId}>
        {task.name ?? task.taskId.slice(0, 8)}
      </td>
    </>
  );
}

function Thumb({ taskId, size = 40, onFail }) {
  const [failed, setFailed] = useState(false);
  if (failed)
    return (
      <span className="thumb missing" style={{ width: size, height: size }} title="input not available">
        ?
      </span>
    );
  return (
    <img
      className="thumb"
      src={inputUrl(taskId)}
      width={size}
      height={size}
      alt="task input"
      loading="lazy"
      onError={() => {
        setFailed(true);
        onFail?.();
      }}
    />
  );
}

/** A tensor task's mark where an image task has its thumbnail: its model's input shapes in the title. */
function TensorMark({ model, size = 40 }) {
  const inputs = (model?.inputs ?? []).map((i) => `${i.name} ${i.datatype} ${shapeText(i.shape)}`).join(', ');
  return (
    <span
      className="thumb tensor"
      style={{ width: size, height: size }}
      title={`V2 inference request${inputs ? `: ${inputs}` : ''}`}
    >
      {'{ }'}
    </span>
  );
}

/** What a decision answered, in a history row: its values (named, stacked), its class, or why none. */
function OutputCell({ decision: d, model }) {
  const out = decisionOutput(d, model);
  if (out.kind === 'values') {
    const shown = out.items.length > 3 ? out.items.slice(0, 2) : out.items;
    return (
      <span className="values" title={out.text} data-testid="row-values">
        {shown.map((e, i) => (
          <span key={i}>
            <i>{e.name}</i> {e.text}
          </span>
        ))}
        {shown.length < out.items.length && <span className="muted">+{out.items.length - shown.length} more</span>}
      </span>
    );
  }
  if (out.kind === 'class') return labelText(out.label, model);
  return d.rejection ? (
    <span className="muted" title={d.rejection}>
      {d.rejection}
    </span>
  ) : (
    '—'
  );
}

function Decisions({ decisions, pending, selected, onSelect, models }) {
  if (!decisions.length && !pending.length) {
    return (
      <p className="empty" data-testid="no-decisions">
        No decisions yet. Submit an input with the bar above, <code>task-producer</code>, or{' '}
        <code>POST /api/tasks</code>.
      </p>
    );
  }
  return (
    <div className="table-wrap">
      <table className="decisions" data-testid="decisions">
        <colgroup>
          <col className="c-input" />
          <col />
          <col className="c-status" />
          <col className="c-label" />
          <col className="c-support" />
          <col className="c-confidence" />
          <col className="c-latency" />
          <col className="c-decided" />
        </colgroup>
        <thead>
          <HeaderRow
            text={['input', 'name', 'status']}
            numeric={['label', 'support', 'confidence', 'latency', 'decided']}
          />
        </thead>
        <tbody>
          {pending.map((p) => (
            <tr key={`p-${p.taskId}`} className="pending" data-testid="pending-row">
              <TaskCells task={p} model={models?.[p.modelId]} />
              <td>
                <span className="badge PENDING">pending</span>
              </td>
              <td className="r">…</td>
              <td className="r">…</td>
              <td className="r">…</td>
              <td className="r">…</td>
              <td className="r">{ago(p.submittedAt)}</td>
            </tr>
          ))}
          {decisions.map((d) => (
            <tr
              key={d.taskId}
              className={d.taskId === selected ? 'selected' : ''}
              onClick={() => onSelect(d.taskId)}
              tabIndex={0}
              onKeyDown={(e) => e.key === 'Enter' && onSelect(d.taskId)}
              data-testid="decision-row"
              data-task-id={d.taskId}
            >
              <TaskCells task={d} model={models?.[d.modelId]} />
              <td title={d.status}>
                <span className={`badge ${d.status}`}>{(d.status ?? '?').replaceAll('_', ' ').toLowerCase()}</span>
              </td>
              <td className="r label" title={modelName(models?.[d.modelId], d.modelId)}>
                <OutputCell decision={d} model={models?.[d.modelId]} />
              </td>
              <td className="r">
                {num(d.agreeingWeight, 2)} / {num(d.totalWeight, 2)} <span className="muted">({pct(support(d))})</span>
              </td>
              <td className="r">{d.values?.length ? '—' : pct(d.confidence)}</td>
              <td className="r">{ms(d.latencyMs)}</td>
              <td
                className="r muted"
                title={typeof d.decidedAt === 'number' ? new Date(d.decidedAt).toLocaleString() : undefined}
              >
                {ago(d.decidedAt)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Votes({ decision, onClose, model }) {
  if (!decision) {
    return (
      <p className="empty">Click a task in the history to see each peer’s vote, its verdict, and whether it counted.</p>
    );
  }
  return <TaskDetail key={decision.taskId} decision={decision} onClose={onClose} model={model} />;
}

function TaskDetail({ decision, onClose, model }) {
  const [imageFailed, setImageFailed] = useState(false);
  const verdicts = decision.verdicts ?? [];
  const tensors = isTensorModel(model);
  const byValue = isValueModel(model) || decision.values?.length > 0;
  const out = decisionOutput(decision, model);
  return (
    <div className="votes" data-testid="votes">
      <div className="task-head">
        {tensors ? (
          <TensorMark model={model} size={56} />
        ) : (
          <Thumb taskId={decision.taskId} size={96} onFail={() => setImageFailed(true)} />
        )}
        <dl>
          <dt>status</dt>
          <dd>
            <span className={`badge ${decision.status}`}>{decision.status}</span>
          </dd>
          {out.kind === 'values' ? (
            <>
              <dt>values</dt>
              <dd className="big values-line" data-testid="decision-values">
                {out.items.map((e, i) => (
                  <span key={i} className="value-item">
                    <i>{e.name}</i> {e.text}
                  </span>
                ))}
              </dd>
            </>
          ) : (
            <>
              <dt>{tensors ? 'class' : 'label'}</dt>
              <dd className="big" data-testid="decision-class">
                {out.kind === 'class' ? labelText(out.label, model) : '—'}
              </dd>
              {out.kind === 'class' && (
                <>
                  <dt>confidence</dt>
                  <dd data-testid="decision-confidence">{pct(decision.confidence)}</dd>
                </>
              )}
            </>
          )}
          {byValue && toleranceText(model?.agreement) && (
            <>
              <dt>agreement</dt>
              <dd className="muted">{toleranceText(model.agreement)}</dd>
            </>
          )}
          <dt>support</dt>
          <dd>
            {num(decision.agreeingWeight, 2)} of {num(decision.totalWeight, 2)} ({pct(support(decision))})
          </dd>
          <dt>latency</dt>
          <dd>{ms(decision.latencyMs)}</dd>
          <dt>committee</dt>
          <dd>
            <Committee decision={decision} />
          </dd>
          {decision.escalation && (
            <>
              <dt>escalation</dt>
              <dd data-testid="escalation">
                <span className="badge escalated">{decision.escalation}</span>{' '}
                <span className="muted">{escalationMeaning(decision.escalation)}: the referee re-ran the model</span>
              </dd>
            </>
          )}
          <dt>model runs</dt>
          <dd>{num(decision.inferences)}</dd>
          <dt>model</dt>
          <dd className="mono" title={decision.modelId}>
            {model?.name ? `${model.name} · ` : ''}
            {decision.modelId?.slice(0, 12)}…
          </dd>
          {decision.rejection && (
            <>
              <dt>rejection</dt>
              <dd>{decision.rejection}</dd>
            </>
          )}
        </dl>
        <button type="button" className="close" onClick={onClose} aria-label="close">
          ×
        </button>
      </div>
      {/* a model without a description: an input that is no image may still be a V2 request */}
      {(tensors || (imageFailed && !model?.recipe)) && <TensorInput taskId={decision.taskId} quiet={!tensors} />}
      {verdicts.length === 0 ? (
        <p className="empty">No eligible peer took part in this decision.</p>
      ) : (
        <table data-testid="verdicts">
          <thead>
            <tr>
              <th>peer</th>
              {!byValue && <th className="r">label</th>}
              <th>verdict</th>
              <th>counted</th>
              <th>why</th>
            </tr>
          </thead>
          <tbody>
            {verdicts.map((v) => {
              const m = verdictMeaning(v, byValue);
              return (
                <tr key={v.peerId} data-testid="verdict-row">
                  <td className="mono">{v.peerId}</td>
                  {!byValue && <td className="r">{labelText(v.label, model) ?? '—'}</td>}
                  <td>
                    <span className={`badge v-${v.verdict}`}>{v.verdict?.toLowerCase()}</span>
                  </td>
                  <td>{m.counted ? <span className="yes">yes</span> : <span className="no">no</span>}</td>
                  <td className="muted">{m.why}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

/**
 * A tensor task's input, fetched as the V2 request it is: each input tensor's name, datatype,
 * shape, statistics and first elements. Quiet: shows nothing unless the input is such a request.
 */
function TensorInput({ taskId, quiet = false }) {
  const [read, setRead] = useState(null);
  useEffect(() => {
    const abort = new AbortController();
    fetch(inputUrl(taskId), { signal: abort.signal })
      .then(async (r) =>
        setRead(
          r.ok ? requestSummary(await r.text()) : { error: r.status === 404 ? 'input not available' : `${r.status}` },
        ),
      )
      .catch((e) => {
        if (e?.name !== 'AbortError') setRead({ error: `cannot read the input (${e?.message ?? e})` });
      });
    return () => abort.abort();
  }, [taskId]);
  if (quiet && !read?.tensors) return null;
  return (
    <div className="tensors" data-testid="tensor-input">
      <h3>input</h3>
      {!read ? (
        <p className="muted">reading the request…</p>
      ) : read.error ? (
        <p className="muted" data-testid="tensor-error">
          {read.error}
        </p>
      ) : (
        read.tensors.map((t, i) => (
          <div className="tensor" key={i} data-testid="tensor" data-name={t.name}>
            <div>
              <b className="mono">{t.name}</b> <span className="badge">{t.datatype}</span>{' '}
              <span className="mono" data-testid="tensor-shape">
                {shapeText(t.shape)}
              </span>
              {t.expected !== null && t.expected !== t.count && (
                <span className="no">
                  {' '}
                  holds {t.count} elements, not the {t.expected} of its shape
                </span>
              )}
            </div>
            <div className="muted" data-testid="tensor-stats">
              {statsText(t)}
            </div>
            <div className="mono first" data-testid="tensor-first" title="the first elements, row-major">
              {firstText(t)}
            </div>
          </div>
        ))
      )}
    </div>
  );
}

function Committee({ decision }) {
  const { seats, peers } = committeeOf(decision);
  return (
    <span className="committee" data-testid="committee" data-seats={seats}>
      {seats === 'all' ? `every eligible peer (${peers.length})` : `${seats} seat${seats === 1 ? '' : 's'}`}
      {peers.map((p) => (
        <span
          key={p.peerId}
          className="seat mono"
          data-testid="committee-peer"
          title={`${p.peerId} holds ${p.seats} seat${p.seats === 1 ? '' : 's'}`}
        >
          {p.peerId}
          {p.seats > 1 && <b> ×{p.seats}</b>}
        </span>
      ))}
    </span>
  );
}

// the ledger's amounts and counts shown in columns named as the fields, after the score
const COUNTED = ['stake', 'slashed', 'agreed', 'disagreed', 'missed', 'invalid'];
// ledger fields with their own column; any other number the ledger carries gets a column too
const SHOWN = new Set(['peerId', 'score', ...COUNTED, 'updatedAt', 't', 'schemaVersion']);
const words = (k) => k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();

function Peers({ peers, histories, active }) {
  const ids = [...new Set([...(peers ?? []).map((p) => p.peerId), ...Object.keys(histories ?? {})])].sort();
  const extra = [
    ...new Set(
      (peers ?? []).flatMap((p) =>
        Object.entries(p.reputation ?? {})
          .filter(([k, v]) => !SHOWN.has(k) && typeof v === 'number')
          .map(([k]) => k),
      ),
    ),
  ].sort();
  const colour = (id) => PALETTE[ids.indexOf(id) % PALETTE.length];
  return (
    <div className="grid peers-split">
      <Card
        title="Peers"
        subtitle={`${num(active?.length)} active · ${num(peers?.filter((p) => p.status !== 'active').length)} evicted or left`}
      >
        {!peers?.length ? (
          <p className="empty">
            No peer has registered yet. Start one with <code>bin/inference-worker --peer-id p1</code>.
          </p>
        ) : (
          <div className="table-wrap">
            <table data-testid="peers">
              <thead>
                <HeaderRow
                  text={['peer', 'status']}
                  numeric={['reputation', ...COUNTED, ...extra.map(words), 'seen']}
                />
              </thead>
              <tbody>
                {peers.map((p) => (
                  <tr key={p.peerId} data-testid="peer-row">
                    <td className="mono">
                      <span className="swatch" style={{ background: colour(p.peerId) }} />
                      {p.peerId}
                    </td>
                    <td>
                      <span className={`badge p-${p.status}`}>{p.status}</span>
                    </td>
                    <td className="r">{num(p.reputation?.score, 3)}</td>
                    <td className="r">{num(p.reputation?.stake ?? p.registry?.stake, 2)}</td>
                    <td className="r">{num(p.reputation?.slashed, 2)}</td>
                    <td className="r">{num(p.reputation?.agreed)}</td>
                    <td className="r">{num(p.reputation?.disagreed)}</td>
                    <td className="r">{num(p.reputation?.missed)}</td>
                    <td className="r">{num(p.reputation?.invalid)}</td>
                    {extra.map((k) => (
                      <td key={k} className="r">
                        {num(p.reputation?.[k], Number.isInteger(p.reputation?.[k]) ? 0 : 2)}
                      </td>
                    ))}
                    <td className="r muted">{ago(p.registry?.lastSeenAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>
      <Card title="Reputation over time" subtitle="score per peer, from peers.reputation">
        <PeerHistoryChart histories={histories} peerIds={ids} field="score" domain={[0, 1]} format={(v) => num(v, 2)} />
      </Card>
      <Card title="Stake over time" subtitle="tokens per peer">
        <PeerHistoryChart histories={histories} peerIds={ids} field="stake" format={(v) => num(v, 1)} />
      </Card>
    </div>
  );
}

function DeadLetters({ dead }) {
  const total = dead?.total ?? 0;
  return (
    <Card title="Dead letters" subtitle="records a component could not process, by reason (inference.dead-letters)">
      {total === 0 ? (
        <p className="empty" data-testid="no-dead-letters">
          None: every record so far was processed.
        </p>
      ) : (
        <div className="grid dead-split">
          <DeadLetterChart byReason={dead?.byReason} />
          <div className="table-wrap short">
            <table data-testid="dead-letters">
              <thead>
                <HeaderRow text={['reason', 'component', 'source', 'key']} numeric={['when']} />
              </thead>
              <tbody>
                {(dead?.recent ?? []).slice(0, 12).map((d, i) => (
                  <tr key={`${d.sourceTopic}-${d.partition}-${d.offset}-${d.component}-${i}`}>
                    <td>
                      <span className="badge REJECTED">{d.reason}</span>
                    </td>
                    <td className="mono">{d.component ?? '—'}</td>
                    <td className="mono">{d.sourceTopic ?? '—'}</td>
                    <td className="mono" title={d.message ?? ''}>
                      {(d.key ?? '—').slice(0, 12)}
                    </td>
                    <td className="r muted">{ago(d.timestamp)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </Card>
  );
}

/** Which model's tasks the history shows: every model's, or one's. */
function ModelFilter({ models, value, onChange }) {
  const { choices } = modelChoices(models);
  if (choices.length < 2) return null;
  return (
    <label className="filter">
      show{' '}
      <select
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value || null)}
        aria-label="show the tasks of"
        data-testid="history-filter"
      >
        <option value="">every model</option>
        {choices.map((c) => (
          <option key={c.modelId} value={c.modelId}>
            {c.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/**
 * Submitting tasks: the model to run (every model the API lists), then image files for an image
 * model, or V2 inference requests for a tensor model (.json files, or one pasted).
 */
function SubmitBar({ models }) {
  const input = useRef(null);
  const [message, setMessage] = useState(null);
  const [picked, setPicked] = useState(null);
  const [pasting, setPasting] = useState(false);
  const [text, setText] = useState('');
  const [name, setName] = useState('request.json');
  const { choices, defaultId } = modelChoices(models);
  const modelId = choices.some((c) => c.modelId === picked) ? picked : defaultId;
  const model = models?.[modelId];
  const tensors = isTensorModel(model);
  const what = tensors ? 'request' : 'image';

  const pick = (id) => {
    setPicked(id);
    setMessage(null);
    setPasting(false);
    setText('');
  };
  const send = async (items) => {
    setMessage({ kind: 'info', text: `submitting ${items.length} ${what}${items.length > 1 ? 's' : ''}…` });
    try {
      for (const item of items) await item();
      setMessage({ kind: 'ok', text: `submitted ${items.length}; answers appear below` });
      return true;
    } catch (err) {
      setMessage({ kind: 'err', text: err?.message ?? String(err) });
      return false;
    }
  };
  const onFiles = async (e) => {
    const files = [...(e.target.files ?? [])];
    e.target.value = '';
    if (!files.length) return;
    if (!tensors) {
      await send(files.map((f) => () => submitImage(f, modelId)));
      return;
    }
    const requests = [];
    for (const f of files) {
      const json = await f.text();
      const problem = requestProblem(json, model);
      if (problem) {
        setMessage({ kind: 'err', text: `${f.name}: ${problem}` });
        return;
      }
      requests.push(() => submitRequest(json, f.name, modelId));
    }
    await send(requests);
  };
  const onPaste = async (e) => {
    e.preventDefault();
    const problem = requestProblem(text, model);
    if (problem) {
      setMessage({ kind: 'err', text: problem });
      return;
    }
    const json = text;
    const file = name.trim() || 'request.json';
    if (await send([() => submitRequest(json, file, modelId)])) setPasting(false);
  };
  const openPaste = () => {
    if (!text) setText(requestTemplate(model));
    setPasting(!pasting);
  };

  return (
    <div className="submit-bar">
      <div className="submit">
        <label>
          submit to{' '}
          <select
            value={modelId ?? ''}
            onChange={(e) => pick(e.target.value)}
            aria-label="model"
            title="the model that runs the submitted inputs"
            data-testid="model-picker"
            disabled={!choices.length}
          >
            {choices.map((c) => (
              <option key={c.modelId} value={c.modelId}>
                {c.label}
              </option>
            ))}
          </select>
        </label>
        <input
          ref={input}
          type="file"
          accept={tensors ? '.json,application/json' : 'image/*'}
          multiple
          hidden
          onChange={onFiles}
          data-testid="file-input"
        />
        <button type="button" onClick={() => input.current?.click()} data-testid="file-button">
          {tensors ? 'Submit requests (.json)…' : 'Classify images…'}
        </button>
        {tensors && (
          <button type="button" onClick={openPaste} aria-expanded={pasting} data-testid="paste-toggle">
            Paste a request
          </button>
        )}
        {message && (
          <span className={`msg ${message.kind}`} data-testid="submit-message">
            {message.text}
          </span>
        )}
      </div>
      {tensors && pasting && (
        <form className="paste" onSubmit={onPaste}>
          <textarea
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={4}
            spellCheck={false}
            aria-label="V2 inference request (JSON)"
            data-testid="request-text"
          />
          <div className="submit">
            <span className="muted">
              a V2 inference request: {'{"inputs": [{"name", "datatype", "shape", "data"}]}'}
            </span>
            <input
              value={name}
              onChange={(e) => setName(e.target.value)}
              aria-label="task name"
              title="the task's name in the history"
              data-testid="request-name"
            />
            <button type="submit" data-testid="request-submit">
              Submit
            </button>
          </div>
        </form>
      )}
    </div>
  );
}
