// Collection progress: entered, reviewed, effective, by unit.
import { call } from '../kit/api.js';
import { el, errorBox, setMain } from '../kit/dom.js';
import { stateBadge } from '../kit/labels.js';

export async function showProgress() {
  setMain(el('div', { class: 'loading' }, '正在统计…'));
  let p;
  try {
    p = await call('Progress', {});
  } catch (e) {
    setMain(errorBox(e));
    return;
  }
  const pct = (a, b) => (b > 0 ? Math.round((1000 * a) / b) / 10 : 0);
  const row = (r) =>
    el(
      'tr',
      {},
      el('td', {}, r.unit_name + '（' + r.unit_code + '）'),
      el('td', { class: 'num' }, r.entered),
      el('td', { class: 'num' }, r.submitted),
      el('td', { class: 'num' }, r.school_approved),
      el('td', { class: 'num' }, r.effective),
      el('td', { class: 'num' }, r.returned),
      el(
        'td',
        {},
        el(
          'div',
          { class: 'bar', title: pct(Number(r.effective), Number(r.entered)) + '%' },
          el('span', { style: false }),
        ),
      ),
      el('td', { class: 'num' }, pct(Number(r.effective), Number(r.entered)) + '%'),
    );
  const table = el(
    'table',
    { id: 'progress-table' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ['单位', '已录入', '已提交', '学校已审', '已生效', '退回', '生效进度', '生效比例'].map(
          (h) => el('th', {}, h),
        ),
      ),
    ),
    el('tbody', {}, row(p.total), (p.children || []).map(row)),
  );
  // Bar widths are set through the CSS object model (no inline style attributes under the CSP).
  // Downloads named by the node: 山永区_填报进度_2026-12-07.xlsx.
  const download = (format, label, id) =>
    el(
      'a',
      {
        class: 'button-link',
        id,
        href: '/console/progress-export?' + new URLSearchParams({ format }).toString(),
        download: true,
      },
      label,
    );
  setMain(
    el('h1', {}, '填报进度'),
    el(
      'div',
      { class: 'card' },
      table,
      el(
        'div',
        { class: 'actions' },
        download('xlsx', '导出进度表（Excel）', 'progress-xlsx'),
        ' ',
        download('csv', '导出 CSV', 'progress-csv'),
      ),
    ),
    el(
      'div',
      { class: 'card' },
      el('h2', {}, '尚未生效的教师（共 ' + p.incomplete_total + ' 人）'),
      el(
        'table',
        {},
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['教师编号', '姓名', '状态'].map((h) => el('th', {}, h)),
          ),
        ),
        el(
          'tbody',
          {},
          (p.incomplete || [])
            .slice(0, 50)
            .map((t) =>
              el(
                'tr',
                {},
                el('td', {}, t.teacher_number),
                el('td', {}, t.name),
                el('td', {}, stateBadge(t.state)),
              ),
            ),
        ),
      ),
    ),
  );
  const bars = table.querySelectorAll('.bar > span');
  [p.total, ...(p.children || [])].forEach((r, i) => {
    bars[i].style.width = pct(Number(r.effective), Number(r.entered)) + '%';
  });
}
