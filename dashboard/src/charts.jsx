import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';

export const PALETTE = [
  '#38bdf8',
  '#a78bfa',
  '#34d399',
  '#fbbf24',
  '#f87171',
  '#f472b6',
  '#60a5fa',
  '#facc15',
  '#4ade80',
  '#fb923c',
];
const AXIS = { stroke: '#64748b', fontSize: 11 };
const TOOLTIP = {
  contentStyle: { background: '#0f172a', border: '1px solid #334155', borderRadius: 6, fontSize: 12 },
  labelStyle: { color: '#cbd5e1' },
};
const clock = (t) => new Date(t).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });

/** Decisions per second over the last minute. */
export function ThroughputChart({ series }) {
  const data = (series ?? []).map((s) => ({ t: s?.t, decisions: s?.decisions ?? 0 }));
  return (
    <ResponsiveContainer width="100%" height={170}>
      <AreaChart data={data} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
        <CartesianGrid stroke="#1e293b" vertical={false} />
        <XAxis dataKey="t" tickFormatter={clock} {...AXIS} minTickGap={40} />
        <YAxis allowDecimals={false} {...AXIS} />
        <Tooltip {...TOOLTIP} labelFormatter={clock} formatter={(v) => [v, 'decisions/s']} />
        <Area
          type="monotone"
          dataKey="decisions"
          stroke="#38bdf8"
          fill="#38bdf8"
          fillOpacity={0.25}
          isAnimationActive={false}
        />
      </AreaChart>
    </ResponsiveContainer>
  );
}

/** Latency histogram of the newest decisions. */
export function LatencyChart({ histogram }) {
  const data = (histogram ?? []).map((b, i, all) => ({
    bucket: b?.leMs == null ? `> ${fmtMs(all[i - 1]?.leMs)}` : `≤ ${fmtMs(b.leMs)}`,
    count: b?.count ?? 0,
  }));
  return (
    <ResponsiveContainer width="100%" height={170}>
      <BarChart data={data} margin={{ top: 8, right: 8, left: -16, bottom: 0 }}>
        <CartesianGrid stroke="#1e293b" vertical={false} />
        <XAxis dataKey="bucket" {...AXIS} interval={0} angle={-30} textAnchor="end" height={42} />
        <YAxis allowDecimals={false} {...AXIS} />
        <Tooltip {...TOOLTIP} formatter={(v) => [v, 'decisions']} />
        <Bar dataKey="count" fill="#a78bfa" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}

function fmtMs(ms) {
  if (ms == null) return '?';
  return ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`;
}

/** One line per peer of a numeric field of its reputation history over time. */
export function PeerHistoryChart({ histories, peerIds, field, domain, format }) {
  const series = peerIds.map((id) => ({
    id,
    data: (histories[id] ?? [])
      .map((p) => ({ t: p?.t ?? p?.updatedAt, v: p?.[field] }))
      .filter((p) => typeof p.t === 'number' && typeof p.v === 'number'),
  }));
  const points = series.reduce((n, s) => n + s.data.length, 0);
  if (points === 0) return <p className="empty small">No {field} updates yet.</p>;
  return (
    <ResponsiveContainer width="100%" height={190}>
      <LineChart margin={{ top: 8, right: 8, left: -8, bottom: 0 }}>
        <CartesianGrid stroke="#1e293b" vertical={false} />
        <XAxis
          dataKey="t"
          type="number"
          scale="time"
          domain={['dataMin', 'dataMax']}
          tickFormatter={clock}
          {...AXIS}
          minTickGap={40}
        />
        <YAxis domain={domain ?? ['auto', 'auto']} tickFormatter={format} {...AXIS} width={48} />
        <Tooltip {...TOOLTIP} labelFormatter={clock} formatter={(v, name) => [format ? format(v) : v, name]} />
        <Legend wrapperStyle={{ fontSize: 11 }} />
        {series.map((s, i) => (
          <Line
            key={s.id}
            data={s.data}
            dataKey="v"
            name={s.id}
            type="stepAfter"
            dot={false}
            stroke={PALETTE[i % PALETTE.length]}
            strokeWidth={2}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  );
}

/** Dead letters by reason. */
export function DeadLetterChart({ byReason }) {
  const data = Object.entries(byReason ?? {})
    .map(([reason, count]) => ({ reason, count }))
    .sort((a, b) => b.count - a.count);
  return (
    <ResponsiveContainer width="100%" height={Math.max(80, data.length * 30 + 30)}>
      <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, left: 8, bottom: 0 }}>
        <XAxis type="number" allowDecimals={false} {...AXIS} />
        <YAxis type="category" dataKey="reason" {...AXIS} width={130} />
        <Tooltip {...TOOLTIP} formatter={(v) => [v, 'records']} />
        <Bar dataKey="count" fill="#f87171" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
