// 退休展望: how many teachers reach the statutory retirement age within 1,
// 3, 5 and 10 years and in each of the next ten years — with the 2025
// reform applied, its rules shown with the answer — beside the hires of
// each of the last ten years, by province, city, county, school category,
// title or post. The question lives in the address.
import { call } from '../kit/api.js';
import { el, errorBox, once, setMain } from '../kit/dom.js';
import { dataTable } from '../kit/table.js';
import { barChart, fmt } from './charts.js';
import { csvDownload, dimension, dimensions } from './dashboard.js';
import { readState, writeState } from './view_state.js';

const BY = [
  ['province', '省份'],
  ['city', '地市'],
  ['county', '区县'],
  ['school_category', '学校类别'],
  ['title', '专业技术职务'],
  ['post_type', '岗位类别'],
];

export async function showOutlook() {
  setMain(el('div', { class: 'loading' }, '正在载入…'));
  try {
    await dimensions();
  } catch (e) {
    setMain(errorBox(e));
    return;
  }
  const state = readState('outlook');
  const by = el(
    'select',
    { id: 'outlook-by' },
    BY.map(([v, l]) => el('option', { value: v }, l)),
  );
  by.value = state.get('by') || 'province';
  const province = el(
    'select',
    { id: 'outlook-province' },
    el('option', { value: '' }, '全国'),
    dimension('province').values.map((v) => el('option', { value: v.code }, v.label)),
  );
  province.value = state.get('province') || '';
  const gender = el(
    'select',
    { id: 'outlook-gender' },
    el('option', { value: '' }, '全部'),
    dimension('gender').values.map((v) => el('option', { value: v.code }, v.label)),
  );
  gender.value = state.get('gender') || '';
  const out = el('div', { id: 'outlook-result' });
  const go = el('button', { type: 'submit', id: 'outlook-go' }, '计算');

  const run = async () => {
    const next = new URLSearchParams({ by: by.value });
    if (province.value) next.set('province', province.value);
    if (gender.value) next.set('gender', gender.value);
    writeState('outlook', next, false);
    const where = [];
    if (province.value) where.push({ dimension: 'province', values: [province.value] });
    if (gender.value) where.push({ dimension: 'gender', values: [gender.value] });
    out.replaceChildren(el('div', { class: 'loading' }, '正在计算…'));
    let a;
    try {
      a = await call('Outlook', { by: by.value, where });
    } catch (e) {
      out.replaceChildren(errorBox(e));
      return;
    }
    const t = a.total;
    const byLabel = BY.find(([v]) => v === a.by)[1];
    const years = (a.hire_years || []).map(Number);
    const thisYear = years[years.length - 1];
    const retiring = (t.by_year || []).map((n, k) => ({
      code: String(k),
      label: `第${k + 1}年`,
      value: Number(n),
    }));
    const hired = (t.hires || []).map((n, k) => ({
      code: String(years[k]),
      label: `${years[k]}年`,
      value: Number(n),
    }));
    const cols = [
      { label: byLabel, cell: (r) => r.label, sort: (r) => r.code },
      {
        label: '教师数',
        cell: (r) => el('span', { class: 'num' }, fmt(r.teachers)),
        sort: (r) => Number(r.teachers),
      },
      {
        label: '已达退休年龄',
        cell: (r) => el('span', { class: 'num' }, fmt(r.reached)),
        sort: (r) => Number(r.reached),
      },
      ...a.horizons.map((h, i) => ({
        label: `${h}年内`,
        cell: (r) => el('span', { class: 'num' }, fmt(r.within[i])),
        sort: (r) => Number(r.within[i]),
      })),
      {
        label: `近${years.length}年入职`,
        cell: (r) => el('span', { class: 'num' }, fmt(r.hires.reduce((s, n) => s + Number(n), 0))),
        sort: (r) => r.hires.reduce((s, n) => s + Number(n), 0),
      },
    ];
    const csv = el('button', { type: 'button', class: 'secondary small' }, '导出 CSV');
    csv.addEventListener('click', () =>
      csvDownload(
        `退休展望（按${byLabel}，${a.as_of}）.csv`,
        [
          byLabel,
          '代码',
          '教师数',
          '已达退休年龄',
          ...a.horizons.map((h) => `${h}年内`),
          ...(a.hire_years || []).map((y) => `${y}年入职`),
        ],
        [...a.rows, t].map((r) => [
          r.label,
          r.code,
          r.teachers,
          r.reached,
          ...r.within,
          ...r.hires,
        ]),
      ),
    );
    out.replaceChildren(
      el(
        'div',
        { class: 'quality-summary' },
        el('div', {}, el('b', { id: 'outlook-total' }, fmt(t.teachers)), el('span', {}, '教师数')),
        el(
          'div',
          {},
          el('b', { id: 'outlook-reached' }, fmt(t.reached)),
          el('span', {}, '已达退休年龄'),
        ),
        a.horizons.map((h, i) =>
          el(
            'div',
            {},
            el('b', { id: `outlook-within-${h}` }, fmt(t.within[i])),
            el('span', {}, `${h}年内达到`),
          ),
        ),
        el(
          'div',
          {},
          el('b', {}, fmt(Number(t.hires[t.hires.length - 1] || 0))),
          el('span', {}, `${thisYear}年入职`),
        ),
      ),
      el(
        'div',
        { class: 'panels' },
        el(
          'section',
          { class: 'card panel' },
          el('h2', {}, `未来十年每年达到退休年龄（自 ${a.as_of} 所在月之后起算）`),
          barChart({
            title: '未来十年每年达到退休年龄的教师',
            rows: retiring,
            total: Number(t.teachers),
            keepOrder: true,
          }),
        ),
        el(
          'section',
          { class: 'card panel' },
          el('h2', {}, '近十年每年入职'),
          barChart({
            title: '近十年每年入职的教师',
            rows: hired,
            total: Number(t.teachers),
            keepOrder: true,
          }),
        ),
      ),
      el('h2', {}, `按${byLabel}`),
      el('div', { class: 'actions no-print' }, csv),
      dataTable({ id: 'outlook-table', columns: cols, rows: a.rows || [] }),
      el(
        'details',
        { class: 'card', open: true },
        el('summary', {}, '适用的退休年龄规则'),
        el(
          'ul',
          { id: 'outlook-rules' },
          (a.rules || []).map((r) => el('li', {}, r)),
        ),
        el(
          'p',
          { class: 'hint' },
          '依据《全国人民代表大会常务委员会关于实施渐进式延迟法定退休年龄的决定》（2024年9月13日），自2025年1月1日起施行；按月计算，达到退休年龄的当月计入“已达退休年龄”。',
        ),
      ),
    );
  };

  setMain(
    el(
      'div',
      { class: 'print-area card' },
      el('h1', {}, '退休展望'),
      el(
        'form',
        {
          onsubmit: (ev) => {
            ev.preventDefault();
            once(go, run);
          },
        },
        el(
          'div',
          { class: 'row' },
          el('div', {}, el('label', { for: 'outlook-by' }, '分组'), by),
          el('div', {}, el('label', { for: 'outlook-province' }, '省份'), province),
          el('div', {}, el('label', { for: 'outlook-gender' }, '性别'), gender),
          el('div', { class: 'right' }, go),
        ),
      ),
      out,
    ),
  );
  once(go, run);
}
