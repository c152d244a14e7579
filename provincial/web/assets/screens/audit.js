// The audit trail, searched and verified.
import { call } from '../kit/api.js';
import { el, errorBox, once, setMain, when } from '../kit/dom.js';
import { dataTable } from '../kit/table.js';

export async function showAudit() {
  const actor = el('input', { id: 'audit-actor', placeholder: '用户名' });
  const action = el('input', { id: 'audit-action', placeholder: '如 teacher. 或 review.return' });
  const target = el('input', { id: 'audit-target', placeholder: '教师编号、用户名等' });
  const body = el('div');
  const search = el('button', { id: 'audit-search', type: 'submit' }, '查询');
  const run = async () => {
    body.replaceChildren(el('div', { class: 'loading' }, '正在查询…'));
    try {
      const r = await call('QueryAudit', {
        actor: actor.value.trim(),
        action: action.value.trim(),
        target: target.value.trim(),
        limit: 200,
      });
      body.replaceChildren(
        dataTable({
          id: 'audit-table',
          rows: r.entries || [],
          empty: '没有符合条件的记录',
          columns: [
            { label: '时间', cell: (e) => when(e.at_unix), sort: (e) => Number(e.at_unix) },
            { label: '用户', cell: (e) => e.actor, sort: (e) => e.actor },
            { label: '操作', cell: (e) => e.action_label || e.action, sort: (e) => e.action },
            { label: '对象', cell: (e) => e.target, sort: (e) => e.target },
            {
              label: '结果',
              cell: (e) =>
                el(
                  'span',
                  { class: 'badge ' + (e.result === 'ok' ? 'effective' : 'returned') },
                  e.result_label || e.result,
                ),
              sort: (e) => e.result,
            },
            { label: '说明', cell: (e) => e.detail },
          ],
        }),
      );
    } catch (e) {
      body.replaceChildren(errorBox(e));
    }
  };
  setMain(
    el('h1', {}, '审计日志'),
    el(
      'form',
      {
        class: 'card',
        onsubmit: (ev) => {
          ev.preventDefault();
          once(search, run);
        },
      },
      el(
        'div',
        { class: 'row' },
        el('div', {}, el('label', { for: 'audit-actor' }, '用户'), actor),
        el('div', {}, el('label', { for: 'audit-action' }, '操作'), action),
        el('div', {}, el('label', { for: 'audit-target' }, '对象'), target),
      ),
      el('div', { class: 'actions' }, search),
    ),
    el('div', { class: 'card' }, body),
  );
  run();
}
