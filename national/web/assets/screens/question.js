// 自定义查询: any question the aggregate answers — up to four dimensions
// to group by and any filters — as a table (with shares, exportable) and a
// chart of the first dimension. The question lives in the address.
import { call } from '../kit/api.js';
import { el, errorBox, once, setMain } from '../kit/dom.js';
import { dataTable } from '../kit/table.js';
import { barChart, fmt, pct } from './charts.js';
import {
  FILTER_DIMENSIONS,
  csvDownload,
  dimension,
  dimensions,
  rowsOf,
  whereOf,
  xlsxLink,
} from './dashboard.js';
import { readState, writeState } from './view_state.js';

const GROUPABLE = ['province', 'city', 'county', ...FILTER_DIMENSIONS, 'degree'];

export async function showQuestion() {
  setMain(el('div', { class: 'loading' }, '正在载入…'));
  let dims;
  try {
    dims = await dimensions();
  } catch (e) {
    setMain(errorBox(e));
    return;
  }
  const state = readState('question');
  const groups = [0, 1, 2, 3].map((i) => {
    const s = el(
      'select',
      { id: 'group-' + i, 'aria-label': `分组维度 ${i + 1}` },
      el('option', { value: '' }, i === 0 ? '（请选择）' : '（不再分组）'),
      GROUPABLE.map((d) => el('option', { value: d }, dimension(d).label)),
    );
    s.value = (state.get('g') || '').split(',')[i] || '';
    return s;
  });
  const filters = FILTER_DIMENSIONS.map((d) => {
    const info = dimension(d);
    const s = el(
      'select',
      { id: 'q-filter-' + d, 'aria-label': info.label },
      el('option', { value: '' }, '全部'),
      info.values.map((v) => el('option', { value: v.code }, v.label)),
    );
    s.value = state.get(d) || '';
    return [d, s];
  });
  const province = el(
    'select',
    { id: 'q-province', 'aria-label': '省份' },
    el('option', { value: '' }, '全国'),
    dimension('province').values.map((v) => el('option', { value: v.code }, v.label)),
  );
  province.value = state.get('province') || '';
  const year = el(
    'select',
    { id: 'q-year', 'aria-label': '统计年度' },
    dims.reference_years.map((y) => el('option', { value: String(y) }, y + ' 年')),
  );
  year.value = state.get('year') || String(dims.default_reference_year);
  const result = el('div', { id: 'question-result' });
  const run = el('button', { type: 'submit', id: 'ask' }, '查询');

  const ask = async () => {
    const next = new URLSearchParams();
    const g = groups.map((s) => s.value).filter(Boolean);
    if (g.length) next.set('g', g.join(','));
    for (const [d, s] of filters) if (s.value) next.set(d, s.value);
    if (province.value) next.set('province', province.value);
    next.set('year', year.value);
    writeState('question', next, false);
    result.replaceChildren();
    if (!g.length) {
      result.append(el('div', { class: 'error', role: 'alert' }, '请至少选择一个分组维度'));
      return;
    }
    const where = whereOf(next);
    if (province.value) where.push({ dimension: 'province', values: [province.value] });
    const request = { group_by: g, where, age_reference: year.value };
    let answer;
    try {
      answer = await call('Aggregate', request);
    } catch (e) {
      result.append(errorBox(e));
      return;
    }
    const total = Number(answer.total || 0);
    const rows = rowsOf(answer);
    const heads = g.map((d) => dimension(d).label);
    const title = '自定义查询：按' + heads.join('、');
    const csv = el('button', { type: 'button', class: 'secondary small' }, '导出 CSV');
    csv.addEventListener('click', () =>
      csvDownload(
        title + '.csv',
        [...heads, '教师数', '占比'],
        rows.map((r) => [...r.labels, r.value, pct(r.value, total)]),
      ),
    );
    // The chart: totals of the first dimension.
    const first = new Map();
    for (const r of rows) {
      const x = first.get(r.codes[0]) || {
        code: r.codes[0],
        label: r.labels[0],
        value: 0,
      };
      x.value += r.value;
      first.set(r.codes[0], x);
    }
    result.append(
      el(
        'p',
        { class: 'summary' },
        '合计 ',
        el('b', { id: 'question-total' }, fmt(total)),
        ' 人，',
        String(rows.length),
        ' 行；年龄按 ',
        answer.age_reference_date,
        ' 计算',
      ),
      barChart({ title: `按${heads[0]}`, rows: [...first.values()], total }),
      el('div', { class: 'actions no-print' }, csv, xlsxLink(request, title)),
      dataTable({
        id: 'question-table',
        columns: [
          ...heads.map((h, i) => ({
            label: h,
            cell: (r) => r.labels[i],
            sort: (r) => r.labels[i],
          })),
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
        rows: rows.slice(0, 2000),
      }),
      rows.length > 2000
        ? el('p', { class: 'hint' }, '表中显示前 2000 行；导出文件含全部行。')
        : '',
    );
  };

  setMain(
    el(
      'div',
      { class: 'print-area card' },
      el('h1', {}, '自定义查询'),
      el(
        'form',
        {
          onsubmit: (ev) => {
            ev.preventDefault();
            once(run, ask);
          },
        },
        el('h2', {}, '分组（最多四个维度）'),
        el(
          'div',
          { class: 'row' },
          groups.map((s, i) =>
            el('div', {}, el('label', { for: 'group-' + i }, `维度 ${i + 1}`), s),
          ),
        ),
        el('h2', {}, '筛选'),
        el(
          'div',
          { class: 'filters' },
          el('div', {}, el('label', { for: 'q-province' }, '省份'), province),
          filters.map(([d, s]) =>
            el('div', {}, el('label', { for: 'q-filter-' + d }, dimension(d).label), s),
          ),
          el('div', {}, el('label', { for: 'q-year' }, '统计年度'), year),
        ),
        el('div', { class: 'actions' }, run),
      ),
      result,
    ),
  );
  if (state.get('g')) once(run, ask);
}
