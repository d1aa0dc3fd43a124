// bench/overhead.svg: overhead per scenario as horizontal bars of the ratio
// to the scenario's baseline (linear to 2×, logarithmic beyond; 1× = no overhead), each with its
// target as a dashed red mark. Plain string building, no libraries.

import { SUITE_VARIANTS } from './report.mjs';

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Bars: { group, label, ratio, target?, experiment? }. */
export function overheadBars(report) {
  const bars = [];
  for (const m of report.micro?.medians ?? []) {
    if (m.state === 'detached') continue;
    bars.push({ group: `micro: ${m.label} (vs hooks detached)`, label: m.stateLabel, ratio: m.ratio, target: m.target, experiment: m.experiment });
  }
  if (report.decode) {
    const d = report.decode.medians;
    bars.push({ group: 'decode: time per event, Node vs the C consumer', label: 'Node drain + decode (C = 1×)', ratio: 1 / d.nodeOverC, target: 1 / 0.33 });
  }
  for (const m of report.suite?.medians ?? []) {
    if (m.variant === 'plain' || m.variant === 'plain-shared') continue;
    bars.push({ group: `suite: ${m.runner} wall time (vs plain)`, label: SUITE_VARIANTS[m.variant]?.bar ?? m.variant, ratio: m.ratio, target: m.target });
  }
  return bars;
}

export function renderSvg(report) {
  const bars = overheadBars(report);
  const W = 960;
  const left = 400;
  const right = 90;
  const rowH = 22;
  const groupH = 26;
  const top = 56;
  // Piecewise axis: linear up to 2× (where the targets are), logarithmic beyond.
  const ratios = bars.flatMap((b) => [b.ratio, b.target ?? 1]);
  const lo = Math.floor(Math.min(0.9, ...ratios) * 0.95 * 4) / 4;
  const hi = Math.max(3, ...ratios) * 1.15;
  const BREAK = 2;
  const plotW = W - left - right;
  const linW = plotW * 0.72;
  const xOf = (r) =>
    r <= BREAK
      ? left + ((r - lo) / (BREAK - lo)) * linW
      : left + linW + ((Math.log(r) - Math.log(BREAK)) / (Math.log(hi) - Math.log(BREAK))) * (plotW - linW);
  const parts = [];
  let y = top;
  let group;
  for (const b of bars) {
    if (b.group !== group) {
      group = b.group;
      y += 6;
      parts.push(`<text x="8" y="${y + 16}" class="group">${esc(group)}</text>`);
      y += groupH;
    }
    const x1 = xOf(1);
    const xr = xOf(b.ratio);
    const missed = b.target !== undefined && b.ratio > b.target;
    const cls = b.experiment ? 'exp' : b.target === undefined ? 'info' : missed ? 'miss' : 'ok';
    parts.push(`<text x="${left - 8}" y="${y + 15}" class="label">${esc(b.label)}</text>`);
    parts.push(`<rect x="${Math.min(x1, xr).toFixed(1)}" y="${y + 3}" width="${Math.max(1, Math.abs(xr - x1)).toFixed(1)}" height="${rowH - 6}" class="${cls}"/>`);
    parts.push(`<text x="${(Math.max(x1, xr) + 4).toFixed(1)}" y="${y + 15}" class="value">${b.ratio.toFixed(3)}×${b.experiment ? ' (proposed fix)' : ''}</text>`);
    if (b.target !== undefined) {
      const xt = xOf(b.target).toFixed(1);
      parts.push(`<line x1="${xt}" x2="${xt}" y1="${y}" y2="${y + rowH}" class="target"><title>target ≤ ${b.target}×</title></line>`);
    }
    y += rowH;
  }
  const height = y + 52;
  const ticks = [];
  for (let t = Math.ceil(lo * 4) / 4; t <= BREAK; t += 0.25) ticks.push(t);
  ticks.push(...[3, 5, 10, 20, 50, 100].filter((t) => t <= hi));
  const axisBreak = `<text x="${(left + linW + 4).toFixed(1)}" y="${y + 30}" class="tick" text-anchor="start">log scale →</text>`;
  const axis = ticks
    .map((t) => {
      const xt = xOf(t).toFixed(1);
      return `<line x1="${xt}" x2="${xt}" y1="${top - 4}" y2="${y}" class="${t === 1 ? 'one' : 'grid'}"/><text x="${xt}" y="${y + 16}" class="tick">${t}×</text>`;
    })
    .join('');
  const m = report.machine ?? {};
  const sub = `${report.date?.slice(0, 10) ?? ''} · ${m.cpu ?? ''} × ${m.nproc ?? ''} · Linux ${m.kernel ?? ''} · Node ${m.node ?? ''} · medians${report.options?.quick ? ' · QUICK sizes' : ''}${report.contaminated?.length ? ' · CONTAMINATED BASELINE' : ''}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" viewBox="0 0 ${W} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif">
<style>
  .title { font-size: 16px; font-weight: 600; }
  .sub { font-size: 11px; fill: #555; }
  .group { font-size: 12px; font-weight: 600; fill: #222; }
  .label { font-size: 11px; text-anchor: end; fill: #333; }
  .value { font-size: 11px; fill: #222; }
  .tick { font-size: 10px; text-anchor: middle; fill: #666; }
  .grid { stroke: #e4e4e4; stroke-width: 1; }
  .one { stroke: #888; stroke-width: 1.2; }
  .ok { fill: #3a9d5d; }
  .miss { fill: #d0453a; }
  .info { fill: #8a94a6; }
  .exp { fill: #5b7fd6; }
  .target { stroke: #c00; stroke-width: 2; stroke-dasharray: 3 2; }
</style>
<rect width="100%" height="100%" fill="#fff"/>
<text x="8" y="22" class="title">Vivarium overhead per scenario (ratio to its baseline; dashed red = target)</text>
<text x="8" y="40" class="sub">${esc(sub)}</text>
${axis}
${axisBreak}
${parts.join('\n')}
<text x="${W - 8}" y="${height - 6}" class="sub" text-anchor="end">green: target met · red: missed · grey: no target · blue: proposed fix (experiment)</text>
</svg>
`;
}
