// 审计日志: the national audit log, for administrators: who did what, when,
// on what, with what result — found by account, kind of action and dates.
import { call } from '../kit/api.js';
import { el, errorBox, once, setMain, when } from '../kit/dom.js';
import { dataTable } from '../kit/table.js';

const KINDS = [
  ['', '全部操作'],
  ['query.lookup', '查询教师个人记录'],
  ['query.', '各类查询'],
  ['user.', '账号与登录'],
  ['sync.', '省级同步'],
  ['audit.', '审计链'],
  ['registry.', '学校名录'],
];

function unixOf(date, endOfDay) {
  if (!date) return 0;
  const t = Date.parse(date + (endOfDay ? 'T23:59:59+08:00' : 'T00:00:00+08:00'));
  return Number.isNaN(t) ? 0 : Math.floor(t / 1000);
}

export function showAudit() {
  const actor = el('input', { id: 'audit-actor', autocomplete: 'off' });
  const kind = el(
    'select',
    { id: 'audit-kind' },
    KINDS.map(([v, l]) => el('option', { value: v }, l)),
  );
  const since = el('input', { id: 'audit-since', type: 'date' });
  const until = el('input', { id: 'audit-until', type: 'date' });
  const out = el('div', { id: 'audit-result' });
  const submit = el('button', { type: 'submit', id: 'audit-go' }, '查询');
  const search = async () => {
    out.replaceChildren();
    try {
      const answer = await call('QueryAudit', {
        actor: actor.value.trim(),
        action: kind.value,
        since_unix: String(unixOf(since.value, false)),
        until_unix: String(unixOf(until.value, true)),
        limit: 500,
      });
      const rows = answer.entries || [];
      out.append(
        el('p', { class: 'hint' }, `共 ${rows.length} 条（最新的在前，最多 500 条）`),
        dataTable({
          id: 'audit-table',
          columns: [
            {
              label: '时间',
              cell: (r) => el('span', { class: 'nowrap' }, when(r.at_unix)),
            },
            { label: '账号', cell: (r) => r.actor },
            { label: '操作', cell: (r) => r.action_label },
            { label: '对象', cell: (r) => r.target },
            {
              label: '结果',
              cell: (r) =>
                el(
                  'span',
                  {
                    class: 'badge ' + (r.result === 'ok' ? 'effective' : 'returned'),
                  },
                  r.result_label,
                ),
            },
            { label: '说明', cell: (r) => r.detail },
          ],
          rows,
          empty: '没有符合条件的记录',
        }),
      );
    } catch (e) {
      out.append(errorBox(e));
    }
  };
  setMain(
    el(
      'div',
      { class: 'card' },
      el('h1', {}, '审计日志'),
      el(
        'form',
        {
          onsubmit: (ev) => {
            ev.preventDefault();
            once(submit, search);
          },
        },
        el(
          'div',
          { class: 'row' },
          el('div', {}, el('label', { for: 'audit-actor' }, '账号'), actor),
          el('div', {}, el('label', { for: 'audit-kind' }, '操作类别'), kind),
          el('div', {}, el('label', { for: 'audit-since' }, '起始日期'), since),
          el('div', {}, el('label', { for: 'audit-until' }, '截止日期'), until),
          el('div', { class: 'right' }, submit),
        ),
      ),
      out,
    ),
  );
  once(submit, search);
}
