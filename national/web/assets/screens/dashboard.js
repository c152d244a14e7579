// 全国概览: the country's teachers at a glance. The total; teachers by
// area as a sorted bar chart and, at the national level, as a tile grid of
// the 32 provinces coloured by the chosen measure; by school category; an
// age pyramid; by title; by education — each with shares and a table that
// exports to CSV and Excel. A click on an area drills down (country →
// province → city → county) with names at every level; a click on any
// other bar filters by it. Every filter, the reference year and the place
// live in the address (screens/view_state.js); a view prints on A4
// landscape.
import { call } from '../kit/api.js';
import { el, errorBox, setMain } from '../kit/dom.js';
import { dataTable } from '../kit/table.js';
import { barChart, fmt, pct, pyramid, shortName, tileGrid } from './charts.js';
import { readState, writeState } from './view_state.js';

export const FILTER_DIMENSIONS = [
  'school_category',
  'gender',
  'age_band',
  'ethnicity',
  'education',
  'title',
  'post_type',
  'status',
  'employment_type',
];

let dims = null; // ListDimensions, once per page load
const placeNames = {}; // code → name, from every answer and Divisions

export async function dimensions() {
  if (!dims) {
    dims = await call('ListDimensions', {});
    for (const d of dims.dimensions)
      if (d.name === 'province') for (const v of d.values) placeNames[v.code] = v.label;
  }
  return dims;
}

export function dimension(name) {
  return dims.dimensions.find((d) => d.name === name);
}

// An answer as rows: [{ codes, labels, value }].
export function rowsOf(answer) {
  const cols = answer.columns || [];
  return (answer.teachers || []).map((n, r) => ({
    codes: cols.map((c) => c.codes[c.rows[r]]),
    labels: cols.map((c) => c.labels[c.rows[r]]),
    value: Number(n),
  }));
}

// The filters of a state as the API takes them.
export function whereOf(state) {
  const where = [];
  for (const d of FILTER_DIMENSIONS) {
    const v = state.get(d);
    if (v) where.push({ dimension: d, values: v.split(',') });
  }
  return where;
}

export function csvDownload(filename, header, rows) {
  const quote = (s) => {
    const t = String(s);
    return /[",\n\r]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
  };
  // With a byte-order mark, so Excel opens the Chinese as UTF-8.
  const text =
    '\ufeff' + [header, ...rows].map((r) => r.map(quote).join(',')).join('\r\n') + '\r\n';
  const a = el('a', {
    href: URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' })),
    download: filename,
  });
  document.body.append(a);
  a.click();
  a.remove();
}

export function xlsxLink(request, title) {
  const q = new URLSearchParams({ q: JSON.stringify(request), title });
  return el(
    'a',
    {
      class: 'button-link small',
      href: '/console/aggregate.xlsx?' + q.toString(),
    },
    '导出 Excel',
  );
}

// A panel's table of one-dimension rows with its two exports.
function panelTable(id, heading, rows, total, request, title) {
  const table = dataTable({
    id,
    columns: [
      { label: heading, cell: (r) => r.labels[0], sort: (r) => r.labels[0] },
      {
        label: '教师数',
        cell: (r) => el('span', { class: 'num' }, fmt(r.value)),
        sort: (r) => r.value,
      },
      {
        label: '占比',
        cell: (r) => el('span', { class: 'num' }, pct(r.value, total)),
        sort: (r) => r.value,
      },
    ],
    rows,
  });
  const csv = el('button', { type: 'button', class: 'secondary small' }, '导出 CSV');
  csv.addEventListener('click', () =>
    csvDownload(
      title + '.csv',
      [heading, '代码', '教师数', '占比'],
      rows.map((r) => [r.labels[0], r.codes[0], r.value, pct(r.value, total)]),
    ),
  );
  return el(
    'details',
    { class: 'panel-table' },
    el('summary', {}, '数据表'),
    el('div', { class: 'actions no-print' }, csv, xlsxLink(request, title)),
    table,
  );
}

function areaDimension(area) {
  return area.length === 0
    ? 'province'
    : area.length === 2
      ? 'city'
      : area.length === 4
        ? 'county'
        : null;
}

function areaWhere(area) {
  const where = [];
  if (area.length >= 2) where.push({ dimension: 'province', values: [area.slice(0, 2)] });
  if (area.length >= 4) where.push({ dimension: 'city', values: [area.slice(0, 4)] });
  if (area.length >= 6) where.push({ dimension: 'county', values: [area] });
  return where;
}

async function nameArea(area) {
  if (area.length >= 4 && !placeNames[area]) {
    const d = await call('Divisions', { province: area.slice(0, 2) });
    for (const x of d.divisions || []) placeNames[x.code] = x.name;
  }
}

// The measures the tile grid can be coloured by: teachers, or the share of
// a dimension's values among them.
const MEASURES = {
  teachers: { label: '教师数' },
  female: { label: '女教师占比', dim: 'gender', pick: (v) => v.label === '女' },
  older: {
    label: '50岁及以上占比',
    dim: 'age_band',
    pick: (v) => /^(50|55|60)/.test(v.code),
  },
  graduate: {
    label: '研究生学历占比',
    dim: 'education',
    pick: (v) => v.label.includes('研究生'),
  },
  senior: {
    label: '高级职称占比',
    dim: 'title',
    pick: (v) => v.label.includes('高级'),
  },
};

export async function showDashboard() {
  setMain(el('div', { class: 'loading' }, '正在汇总…'));
  try {
    await dimensions();
  } catch (e) {
    setMain(errorBox(e));
    return;
  }
  await drawDashboard(readState('dash'));
}

async function drawDashboard(state) {
  const started = performance.now();
  writeState('dash', state, false);
  const area = state.get('area') || '';
  const year = state.get('year') || String(dims.default_reference_year);
  const measure = MEASURES[state.get('measure')] ? state.get('measure') : 'teachers';
  const where = [...areaWhere(area), ...whereOf(state)];
  const ask = (group_by, extra) =>
    call('Aggregate', {
      group_by,
      where: [...where, ...(extra || [])],
      age_reference: year,
    });
  const byArea = areaDimension(area) || 'school_category';
  const requests = {
    area: [byArea],
    category: ['school_category'],
    pyramid: ['age_band', 'gender'],
    title: ['title'],
    education: ['education'],
  };
  const m = MEASURES[measure];
  const wantTiles = area === '' && m.dim;
  let answers;
  try {
    const names = nameArea(area);
    const keys = Object.keys(requests);
    const got = await Promise.all([
      ...keys.map((k) => ask(requests[k])),
      wantTiles ? ask(['province', m.dim]) : null,
      names,
    ]);
    answers = Object.fromEntries(keys.map((k, i) => [k, got[i]]));
    answers.measure = got[keys.length];
  } catch (e) {
    setMain(errorBox(e));
    return;
  }
  for (const k of ['area'])
    for (const r of rowsOf(answers[k])) placeNames[r.codes[0]] = r.labels[0];
  const total = Number(answers.area.total || 0);

  const go = (next, push) => {
    writeState('dash', next, push);
    drawDashboard(next);
  };
  const withParam = (key, value) => {
    const next = new URLSearchParams(state);
    if (value) next.set(key, value);
    else next.delete(key);
    return next;
  };

  // Where we are, with a way back up at every level.
  const crumbs = el('nav', { class: 'crumbs', 'aria-label': '当前位置' });
  const levels = [''];
  if (area.length >= 2) levels.push(area.slice(0, 2));
  if (area.length >= 4) levels.push(area.slice(0, 4));
  if (area.length >= 6) levels.push(area);
  levels.forEach((code, i) => {
    const name = code === '' ? '全国' : placeNames[code] || code;
    if (i > 0) crumbs.append(' › ');
    if (i === levels.length - 1) crumbs.append(el('b', { id: 'place-name' }, name));
    else {
      const b = el('button', { type: 'button' }, name);
      b.addEventListener('click', () => go(withParam('area', code), true));
      crumbs.append(b);
    }
  });

  // Filters and the reference year.
  const filterBar = el('div', { class: 'filters no-print', id: 'filters' });
  for (const d of FILTER_DIMENSIONS) {
    const info = dimension(d);
    const select = el(
      'select',
      { id: 'filter-' + d, 'aria-label': info.label },
      el('option', { value: '' }, '全部' + info.label),
      info.values.map((v) => el('option', { value: v.code }, v.label)),
    );
    select.value = state.get(d) || '';
    select.addEventListener('change', () => go(withParam(d, select.value), false));
    filterBar.append(el('div', {}, el('label', { for: 'filter-' + d }, info.label), select));
  }
  const yearSelect = el(
    'select',
    { id: 'filter-year' },
    (dims.reference_years || []).map((y) => el('option', { value: String(y) }, y + ' 年')),
  );
  yearSelect.value = year;
  yearSelect.addEventListener('change', () => go(withParam('year', yearSelect.value), false));
  filterBar.append(
    el('div', {}, el('label', { for: 'filter-year' }, '统计年度（年龄计算）'), yearSelect),
  );
  const active = whereOf(state).map((w) => {
    const info = dimension(w.dimension);
    const label = (info.values.find((v) => v.code === w.values[0]) || {}).label || w.values[0];
    return info.label + '：' + label;
  });

  const placeLabel = area === '' ? '全国' : placeNames[area] || area;
  const title = (what) =>
    `${placeLabel}教师${what}（${year}年${active.length ? '，' + active.join('，') : ''}）`;

  // By area, drilling down.
  const areaRows = rowsOf(answers.area).map((r) => ({
    ...r,
    code: r.codes[0],
    label: r.labels[0],
  }));
  const areaHeading = {
    province: '省份',
    city: '地市',
    county: '区县',
    school_category: '学校类别',
  }[byArea];
  const drill =
    byArea === 'school_category'
      ? (r) => go(withParam('school_category', r.code), true)
      : (r) => go(withParam('area', r.code), true);
  const areaChart = barChart({
    title: `按${areaHeading}：${title('人数')}`,
    rows: areaRows,
    total,
    onPick: drill,
  });
  let tiles = null;
  if (area === '') {
    const values = {},
      text = {},
      labels = {};
    for (const r of areaRows) {
      labels[r.code] = r.label;
      if (!m.dim) {
        values[r.code] = r.value;
        text[r.code] = fmt(r.value);
      }
    }
    if (m.dim) {
      const info = dimension(m.dim);
      const picked = new Set(info.values.filter(m.pick).map((v) => v.code));
      const part = {},
        whole = {};
      for (const r of rowsOf(answers.measure)) {
        whole[r.codes[0]] = (whole[r.codes[0]] || 0) + r.value;
        if (picked.has(r.codes[1])) part[r.codes[0]] = (part[r.codes[0]] || 0) + r.value;
      }
      for (const code of Object.keys(whole)) {
        values[code] = (part[code] || 0) / whole[code];
        text[code] = pct(part[code] || 0, whole[code]);
      }
    }
    for (const [code, label] of Object.entries(placeNames))
      if (code.length === 2) labels[code] = labels[code] || label;
    const measureSelect = el(
      'select',
      { id: 'measure', 'aria-label': '着色指标' },
      Object.entries(MEASURES).map(([k, v]) => el('option', { value: k }, v.label)),
    );
    measureSelect.value = measure;
    measureSelect.addEventListener('change', () =>
      go(
        withParam('measure', measureSelect.value === 'teachers' ? '' : measureSelect.value),
        false,
      ),
    );
    tiles = el(
      'div',
      { class: 'tile-panel' },
      el(
        'div',
        { class: 'row no-print' },
        el('div', {}, el('label', { for: 'measure' }, '各省着色指标'), measureSelect),
      ),
      tileGrid({
        title: `各省${MEASURES[measure].label}`,
        values,
        text,
        labels,
        onPick: (code) => go(withParam('area', code), true),
      }),
      el(
        'div',
        { class: 'legend-scale' },
        el('span', {}, '少'),
        ...[1, 2, 3, 4, 5, 6].map((l) => el('i', { class: 'level' + l })),
        el('span', {}, '多'),
      ),
    );
  }
  const areaRequest = { group_by: requests.area, where, age_reference: year };

  const panel = (id, heading, chart, table) =>
    el('section', { class: 'card panel', id: 'panel-' + id }, el('h2', {}, heading), chart, table);
  const oneDim = (key, heading, dimName) => {
    const rows = rowsOf(answers[key]).map((r) => ({
      ...r,
      code: r.codes[0],
      label: r.labels[0],
    }));
    return panel(
      key,
      `按${heading}`,
      barChart({
        title: `按${heading}：${title('人数')}`,
        rows,
        total,
        onPick: (r) => go(withParam(dimName, r.code), true),
      }),
      panelTable(
        'table-' + key,
        heading,
        rows,
        total,
        { group_by: [dimName], where, age_reference: year },
        title('按' + heading),
      ),
    );
  };
  // Age bands × gender, youngest first.
  const ages = dimension('age_band').values;
  const bands = ages.map((v) => ({
    label: v.label,
    male: 0,
    female: 0,
    code: v.code,
  }));
  for (const r of rowsOf(answers.pyramid)) {
    const b = bands.find((x) => x.code === r.codes[0]);
    if (!b) continue;
    if (r.labels[1] === '男') b.male += r.value;
    else if (r.labels[1] === '女') b.female += r.value;
  }
  const pyramidRows = bands.map((b) => ({
    codes: [b.code],
    labels: [b.label],
    value: b.male + b.female,
    male: b.male,
    female: b.female,
  }));
  const pyramidTable = dataTable({
    id: 'table-pyramid',
    columns: [
      { label: '年龄段', cell: (r) => r.labels[0] },
      { label: '男', cell: (r) => el('span', { class: 'num' }, fmt(r.male)) },
      { label: '女', cell: (r) => el('span', { class: 'num' }, fmt(r.female)) },
      {
        label: '合计',
        cell: (r) => el('span', { class: 'num' }, fmt(r.value)),
      },
      {
        label: '占比',
        cell: (r) => el('span', { class: 'num' }, pct(r.value, total)),
      },
    ],
    rows: pyramidRows,
  });
  const pyramidCsv = el('button', { type: 'button', class: 'secondary small' }, '导出 CSV');
  pyramidCsv.addEventListener('click', () =>
    csvDownload(
      title('年龄与性别') + '.csv',
      ['年龄段', '男', '女', '合计', '占比'],
      pyramidRows.map((r) => [r.labels[0], r.male, r.female, r.value, pct(r.value, total)]),
    ),
  );

  setMain(
    el(
      'div',
      { class: 'print-area card dashboard', id: 'dashboard' },
      el(
        'div',
        { class: 'dash-head' },
        el('div', {}, el('h1', {}, '全国教师队伍概览'), crumbs),
        el(
          'div',
          { class: 'total', id: 'total', 'aria-live': 'polite' },
          el('span', { class: 'total-label' }, placeLabel + '教师总数'),
          el('b', { id: 'total-value' }, fmt(total)),
          el('span', { class: 'hint' }, `年龄按 ${answers.area.age_reference_date} 计算`),
        ),
        el(
          'div',
          { class: 'actions no-print' },
          (() => {
            const b = el(
              'button',
              { type: 'button', class: 'secondary', id: 'print' },
              '打印（A4 横向）',
            );
            b.addEventListener('click', () => window.print());
            return b;
          })(),
        ),
      ),
      filterBar,
      active.length
        ? el('p', { class: 'notice', id: 'active-filters' }, '筛选：' + active.join('；'))
        : null,
      el(
        'section',
        { class: 'card panel wide', id: 'panel-area' },
        el(
          'h2',
          {},
          `按${areaHeading}`,
          el(
            'span',
            { class: 'hint' },
            byArea === 'school_category' ? '' : '  点击条形或方块进入下一级',
          ),
        ),
        el('div', { class: 'area-charts' }, el('div', { class: 'area-bars' }, areaChart), tiles),
        panelTable(
          'table-area',
          areaHeading,
          areaRows,
          total,
          areaRequest,
          title('按' + areaHeading),
        ),
      ),
      el(
        'div',
        { class: 'panels' },
        oneDim('category', '学校类别', 'school_category'),
        panel(
          'pyramid',
          '年龄与性别',
          pyramid({ title: `年龄与性别：${title('人数')}`, bands }),
          el(
            'details',
            { class: 'panel-table' },
            el('summary', {}, '数据表'),
            el(
              'div',
              { class: 'actions no-print' },
              pyramidCsv,
              xlsxLink(
                { group_by: requests.pyramid, where, age_reference: year },
                title('按年龄与性别'),
              ),
            ),
            pyramidTable,
          ),
        ),
        oneDim('title', '专业技术职务', 'title'),
        oneDim('education', '最高学历', 'education'),
      ),
    ),
  );
  const main = document.getElementById('dashboard');
  main.dataset.ready = String(Date.now());
  main.dataset.ms = String(Math.round(performance.now() - started));
}

window.addEventListener('popstate', () => {
  if (location.hash.startsWith('#dash') && dims) drawDashboard(readState('dash'));
});
