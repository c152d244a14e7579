// 数据质量: every province's data at a glance — records held, how far
// behind, last successful sync, rejected changes, records held for a move,
// digest agreement, audit hand-over problems, certificates refused, and
// transfers between provinces stuck — with the overdue or broken ones
// first and marked. Refreshes by itself every 30 seconds.
import { call } from '../kit/api.js';
import { el, errorBox, setMain, when } from '../kit/dom.js';
import { dataTable } from '../kit/table.js';
import { fmt } from './charts.js';

let timer = null;

function problems(p, now) {
  const list = [];
  if (p.overdue) list.push(p.last_success_unix === '0' ? '从未同步' : '同步逾期');
  if (Number(p.behind) > 0) list.push(`待同步 ${fmt(p.behind)} 条`);
  if (Number(p.verify_differing) > 0) list.push(`摘要不一致 ${fmt(p.verify_differing)} 组`);
  if (p.audit_problem) list.push('审计链交接异常');
  if (p.revoked_serial) list.push('证书已吊销');
  if (Number(p.rejected) > 0) list.push(`拒收 ${fmt(p.rejected)} 条`);
  return list;
}

export async function showQuality() {
  clearInterval(timer);
  const body = el('div', { id: 'quality-body' }, el('div', { class: 'loading' }, '正在载入…'));
  const stamp = el('span', { class: 'hint', id: 'quality-updated' });
  setMain(
    el(
      'div',
      { class: 'print-area card' },
      el('h1', {}, '数据质量'),
      el(
        'p',
        { class: 'hint' },
        '每 30 秒自动刷新；逾期或有问题的省份排在前面并以红色标出。 ',
        stamp,
      ),
      body,
    ),
  );
  const draw = async () => {
    if (!document.body.contains(body)) {
      clearInterval(timer);
      return;
    }
    let health, transfers;
    try {
      [health, transfers] = await Promise.all([
        call('Provinces', {}),
        call('Transfers', { open_only: true }),
      ]);
    } catch (e) {
      body.replaceChildren(errorBox(e));
      return;
    }
    const now = Date.now() / 1000;
    const stuckBy = {};
    for (const t of transfers.transfers || [])
      if (t.stuck) stuckBy[t.receiving_province] = (stuckBy[t.receiving_province] || 0) + 1;
    const rows = health.provinces.map((p) => ({
      ...p,
      problems: problems(p, now),
      stuck: stuckBy[p.province] || 0,
    }));
    for (const r of rows) if (r.stuck) r.problems.push(`跨省调动滞留 ${r.stuck} 件`);
    rows.sort(
      (a, b) => b.problems.length - a.problems.length || a.province.localeCompare(b.province),
    );
    const bad = rows.filter((r) => r.problems.length).length;
    body.replaceChildren(
      el(
        'div',
        { class: 'quality-summary' },
        el('div', {}, el('b', {}, String(rows.length)), el('span', {}, '省级节点')),
        el(
          'div',
          { class: bad ? 'bad' : 'good' },
          el('b', { id: 'quality-bad' }, String(bad)),
          el('span', {}, '需要关注'),
        ),
        el(
          'div',
          {},
          el('b', {}, fmt(rows.reduce((s, r) => s + Number(r.records_held), 0))),
          el('span', {}, '全国记录'),
        ),
        el('div', {}, el('b', {}, String(transfers.stuck || 0)), el('span', {}, '跨省调动滞留')),
      ),
      dataTable({
        id: 'quality-table',
        columns: [
          { label: '省份', cell: (r) => r.label, sort: (r) => r.province },
          {
            label: '记录数',
            cell: (r) => el('span', { class: 'num' }, fmt(r.records_held)),
            sort: (r) => Number(r.records_held),
          },
          {
            label: '最近成功同步',
            cell: (r) => when(r.last_success_unix) || '从未',
            sort: (r) => Number(r.last_success_unix),
          },
          {
            label: '待同步',
            cell: (r) => el('span', { class: 'num' }, fmt(r.behind)),
            sort: (r) => Number(r.behind),
          },
          {
            label: '拒收',
            cell: (r) => el('span', { class: 'num' }, fmt(r.rejected)),
            sort: (r) => Number(r.rejected),
          },
          {
            label: '迁移暂存',
            cell: (r) => el('span', { class: 'num' }, fmt(r.held)),
            sort: (r) => Number(r.held),
          },
          {
            label: '摘要核对',
            cell: (r) =>
              r.verified_unix === '0'
                ? '未核对'
                : Number(r.verify_differing)
                  ? `${r.verify_differing} 组不一致`
                  : '一致',
          },
          {
            label: '审计交接',
            cell: (r) => (r.audit_problem ? '异常' : fmt(r.audit_entries) + ' 条'),
          },
          {
            label: '状态',
            cell: (r) =>
              r.problems.length
                ? el('span', { class: 'badge returned' }, r.problems.join('；'))
                : el('span', { class: 'badge effective' }, '正常'),
            sort: (r) => -r.problems.length,
          },
        ],
        rows,
      }),
    );
    body.querySelectorAll('#quality-table tbody tr').forEach((tr, i) => {
      if (rows[i] && rows[i].problems.length) tr.classList.add('attention');
      if (rows[i]) tr.dataset.province = rows[i].province;
    });
    stamp.textContent = '更新于 ' + new Date().toLocaleTimeString('zh-CN', { hour12: false });
  };
  await draw();
  timer = setInterval(draw, 30000);
}
