// The audit trail, searched and verified.
import { call } from '../kit/api.js';
import { el, errorBox, once, setMain, when } from '../kit/dom.js';

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
        el(
          'table',
          { id: 'audit-table' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ['时间', '用户', '操作', '对象', '结果', '说明'].map((h) => el('th', {}, h)),
            ),
          ),
          el(
            'tbody',
            {},
            (r.entries || []).map((e) =>
              el(
                'tr',
                {},
                el('td', {}, when(e.at_unix)),
                el('td', {}, e.actor),
                el('td', {}, e.action),
                el('td', {}, e.target),
                el(
                  'td',
                  {},
                  el(
                    'span',
                    { class: 'badge ' + (e.result === 'ok' ? 'effective' : 'returned') },
                    e.result,
                  ),
                ),
                el('td', {}, e.detail),
              ),
            ),
          ),
        ),
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
