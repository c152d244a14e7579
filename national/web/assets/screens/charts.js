// The console's charts, drawn as SVG by this module: a sorted bar chart, an
// age pyramid and a tile grid of the 32 provinces. Drawn here rather than
// by a charting library because every chart is a handful of rectangles and
// labels: SVG elements built from data (text only as textContent), with no
// script from elsewhere, nothing inline for the Content-Security-Policy to
// refuse, crisp on paper, each chart named for screen readers and each bar
// a button a keyboard reaches (README, "Dependencies").
const NS = 'http://www.w3.org/2000/svg';

function svg(tag, attrs, ...children) {
  const e = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export const fmt = (n) => Number(n).toLocaleString('zh-CN');
export const pct = (part, whole) => (whole > 0 ? ((100 * part) / whole).toFixed(1) + '%' : '—');

// A clickable mark: a click or Enter/Space picks it.
// Its name is its visible text (the place and its figures).
function pickable(g, label, onPick) {
  if (!onPick) return g;
  g.setAttribute('tabindex', '0');
  g.setAttribute('role', 'button');
  g.setAttribute('class', (g.getAttribute('class') || '') + ' pick');
  g.addEventListener('click', onPick);
  g.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' || ev.key === ' ') {
      ev.preventDefault();
      onPick();
    }
  });
  return g;
}

// rows: [{ code, label, value }], drawn largest first; total for shares.
// `keepOrder`: as given (years), not largest first.
export function barChart({ title, rows, total, onPick, max, keepOrder }) {
  const list = (keepOrder ? [...rows] : [...rows].sort((a, b) => b.value - a.value)).slice(
    0,
    max || 40,
  );
  const rowH = 22,
    labelW = 128,
    valueW = 118,
    width = 620;
  const barW = width - labelW - valueW;
  const top = Math.max(1, ...list.map((r) => r.value));
  const height = Math.max(1, list.length) * rowH + 8;
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart bars',
    role: onPick ? 'group' : 'img',
    'aria-label': title,
  });
  chart.append(svg('title', {}, title));
  list.forEach((r, i) => {
    const y = 4 + i * rowH;
    const w = Math.max(1, (barW * r.value) / top);
    const g = svg(
      'g',
      { class: 'bar-row' },
      svg('text', { x: labelW - 8, y: y + 15, 'text-anchor': 'end', class: 'label' }, r.label),
      svg('rect', {
        x: labelW,
        y: y + 3,
        width: w,
        height: rowH - 8,
        rx: 2,
        class: 'fill',
      }),
      svg(
        'text',
        { x: labelW + w + 6, y: y + 15, class: 'value' },
        fmt(r.value) + '  ' + pct(r.value, total),
      ),
    );
    chart.append(
      pickable(
        g,
        `${r.label}：${fmt(r.value)} 人，${pct(r.value, total)}`,
        onPick && (() => onPick(r)),
      ),
    );
  });
  if (!list.length) chart.append(svg('text', { x: 10, y: 20, class: 'label' }, '没有数据'));
  return chart;
}

// bands: [{ label, male, female }] from the youngest; a bar each side.
export function pyramid({ title, bands }) {
  const rowH = 24,
    mid = 310,
    half = 230,
    width = 620;
  const top = Math.max(1, ...bands.map((b) => Math.max(b.male, b.female)));
  const height = bands.length * rowH + 34;
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart pyramid',
    role: 'img',
    'aria-label': title,
  });
  chart.append(svg('title', {}, title));
  chart.append(
    svg('text', { x: mid - 40, y: 14, 'text-anchor': 'end', class: 'legend male' }, '男'),
  );
  chart.append(svg('text', { x: mid + 40, y: 14, class: 'legend female' }, '女'));
  [...bands].reverse().forEach((b, i) => {
    const y = 22 + i * rowH;
    const wm = (half * b.male) / top,
      wf = (half * b.female) / top;
    chart.append(
      svg('rect', {
        x: mid - 30 - wm,
        y: y + 3,
        width: wm,
        height: rowH - 7,
        class: 'male',
      }),
      svg('rect', {
        x: mid + 30,
        y: y + 3,
        width: wf,
        height: rowH - 7,
        class: 'female',
      }),
      svg('text', { x: mid, y: y + 16, 'text-anchor': 'middle', class: 'label' }, b.label),
      svg(
        'text',
        { x: mid - 34 - wm, y: y + 16, 'text-anchor': 'end', class: 'value' },
        fmt(b.male),
      ),
      svg('text', { x: mid + 34 + wf, y: y + 16, class: 'value' }, fmt(b.female)),
    );
  });
  return chart;
}

// The 32 provinces on a grid that keeps their neighbours near (row, column):
// no outline of the country (map data of China must be officially approved;
// a tile grid needs none).
const TILES = {
  23: [0, 7],
  15: [1, 4],
  11: [1, 5],
  21: [1, 6],
  22: [1, 7],
  65: [2, 0],
  66: [2, 1],
  62: [2, 3],
  64: [2, 4],
  14: [2, 5],
  13: [2, 6],
  12: [2, 7],
  54: [3, 1],
  63: [3, 2],
  61: [3, 3],
  41: [3, 4],
  37: [3, 5],
  32: [3, 6],
  51: [4, 2],
  50: [4, 3],
  42: [4, 4],
  34: [4, 5],
  31: [4, 6],
  53: [5, 2],
  52: [5, 3],
  43: [5, 4],
  36: [5, 5],
  33: [5, 6],
  45: [6, 3],
  44: [6, 4],
  35: [6, 5],
  46: [7, 4],
};

// Short names for the tiles ("广东", "内蒙古", "兵团").
export function shortName(label) {
  if (label === '新疆生产建设兵团') return '兵团';
  return label.replace(/(维吾尔|壮族|回族)?(自治区|省|市)$/, '');
}

// values: { '44': number } (the measure), text: { '44': 'as shown' },
// labels: { '44': '广东省' }; darker is more.
export function tileGrid({ title, values, text, labels, onPick }) {
  const size = 66,
    gap = 5,
    width = 8 * (size + gap),
    height = 8 * (size + gap);
  const nums = Object.values(values);
  const lo = Math.min(...nums, 0),
    hi = Math.max(...nums, 1);
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    class: 'chart tiles',
    role: onPick ? 'group' : 'img',
    'aria-label': title,
  });
  chart.append(svg('title', {}, title));
  for (const [code, [row, col]] of Object.entries(TILES)) {
    const v = values[code];
    const known = v !== undefined;
    const t = known && hi > lo ? (v - lo) / (hi - lo) : 0;
    const level = known ? 1 + Math.round(t * 5) : 0;
    const x = col * (size + gap),
      y = row * (size + gap);
    const name = shortName(labels[code] || code);
    const g = svg(
      'g',
      { class: 'tile level' + level },
      svg('rect', { x, y, width: size, height: size, rx: 6 }),
      svg('text', { x: x + size / 2, y: y + 27, 'text-anchor': 'middle', class: 'name' }, name),
      svg(
        'text',
        { x: x + size / 2, y: y + 47, 'text-anchor': 'middle', class: 'value' },
        known ? text[code] : '—',
      ),
    );
    chart.append(
      pickable(
        g,
        `${labels[code] || code}：${known ? text[code] : '无数据'}`,
        onPick && (() => onPick(code)),
      ),
    );
  }
  return chart;
}
