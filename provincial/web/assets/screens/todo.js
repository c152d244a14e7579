// 待办: where every staff user lands — what waits for them, and how the
// units below are getting on (docs/operators.md, "Where each user lands").
// Built from the queue and the progress report the node already answers.
import { call } from '../kit/api.js';
import { el, errorBox, setMain } from '../kit/dom.js';
import { LEVELS, STEPS } from '../kit/labels.js';
import { me } from '../kit/session.js';
import { go } from '../kit/shell.js';

const pct = (a, b) => (Number(b) > 0 ? Math.round((1000 * Number(a)) / Number(b)) / 10 : 0);

// One line of the list: a count, what it is, and where to act on it.
function item(id, count, text, page, action) {
  return el(
    'li',
    { id },
    el('span', { class: 'todo-count' + (Number(count) > 0 ? ' due' : '') }, String(count)),
    ' ',
    text,
    ' ',
    page
      ? el(
          'button',
          { class: 'secondary', type: 'button', onclick: () => go(page) },
          action || '去处理',
        )
      : null,
  );
}

export async function showTodo() {
  setMain(el('h1', {}, '待办'), el('div', { class: 'loading' }, '正在汇总…'));
  const reviews =
    me.user.role === 'USER_ROLE_MANAGER' ||
    (me.user.role === 'USER_ROLE_SYSADMIN' && me.unit_level === 4);
  let queue = null,
    progress = null;
  try {
    [queue, progress] = await Promise.all([
      reviews ? call('ReviewQueue', { page_size: 200 }) : Promise.resolve(null),
      call('Progress', {}),
    ]);
  } catch (e) {
    setMain(el('h1', {}, '待办'), errorBox(e));
    return;
  }
  const cards = [el('h1', {}, '待办')];
  if (queue) {
    const more = queue.next_page_token ? '+' : '';
    const byStep = {};
    for (const it of queue.items || []) byStep[it.step] = (byStep[it.step] || 0) + 1;
    const lines = [];
    for (const step of ['school_approval', 'county_review', 'change_request'])
      if (byStep[step])
        lines.push(
          item(
            'todo-' + step,
            byStep[step] + more,
            (STEPS[step] || step) + '：等待本单位审核',
            'queue',
          ),
        );
    if (byStep.correction)
      lines.push(
        item('todo-correction', byStep.correction, '条记录被退回，等待修改后重新提交', 'queue'),
      );
    const careers = (queue.careers || []).length;
    if (careers) lines.push(item('todo-careers', careers, '项调动与变动等待本单位办理', 'careers'));
    cards.push(
      el(
        'div',
        { class: 'card', id: 'todo-waiting' },
        el('h2', {}, '等待我处理'),
        lines.length
          ? el('ul', { class: 'todo' }, lines)
          : el('p', { class: 'hint' }, '目前没有等待处理的事项。'),
      ),
    );
  }
  const t = progress.total || {};
  const entered = Number(t.entered || 0);
  const pending = entered - Number(t.effective || 0);
  const below = (progress.children || [])
    .filter((r) => Number(r.entered) > 0)
    .sort((a, b) => pct(a.effective, a.entered) - pct(b.effective, b.entered))
    .slice(0, 5);
  cards.push(
    el(
      'div',
      { class: 'card', id: 'todo-progress' },
      el('h2', {}, (LEVELS[me.unit_level] || '') + '填报进度：' + (t.unit_name || me.unit_name)),
      el(
        'ul',
        { class: 'todo' },
        item(
          'todo-effective',
          pct(t.effective, entered) + '%',
          '已生效（' + t.effective + ' / ' + entered + ' 人）',
        ),
        item('todo-pending', pending, '人尚未生效（草稿、审核中或退回）', 'progress', '查看进度'),
        Number(t.returned)
          ? item('todo-returned', t.returned, '人被退回，等待修改', 'progress', '查看进度')
          : null,
      ),
      below.length
        ? el(
            'div',
            {},
            el('h3', {}, '进度最慢的下级单位'),
            el(
              'table',
              { id: 'todo-slowest' },
              el(
                'thead',
                {},
                el(
                  'tr',
                  {},
                  ['单位', '已录入', '已生效', '生效比例'].map((h) => el('th', {}, h)),
                ),
              ),
              el(
                'tbody',
                {},
                below.map((r) =>
                  el(
                    'tr',
                    {},
                    el('td', {}, r.unit_name),
                    el('td', { class: 'num' }, r.entered),
                    el('td', { class: 'num' }, r.effective),
                    el('td', { class: 'num' }, pct(r.effective, r.entered) + '%'),
                  ),
                ),
              ),
            ),
          )
        : null,
    ),
  );
  setMain(...cards);
}
