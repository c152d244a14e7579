// The review queue: what waits for the user's unit.
import { call } from '../kit/api.js';
import { el, errorBox, once, setMain, when } from '../kit/dom.js';
import { STEPS } from '../kit/labels.js';
import { careersWaitingNote } from './careers.js';
import { showTeacher } from './teachers.js';

export async function showQueue(token) {
  const body = el('div', {}, el('div', { class: 'loading' }, '正在查询…'));
  setMain(el('h1', {}, '审核队列（先到先审）'), el('div', { class: 'card' }, body));
  try {
    const q = await call('ReviewQueue', { page_size: 50, page_token: token || '' });
    const rows = (q.items || []).map((it) => {
      const reason = el('input', { placeholder: '退回原因（退回时必填）', class: 'reason' });
      const msg = el('td', {});
      const approve = el('button', { class: 'approve' }, '通过');
      const back = el('button', { class: 'danger' }, '退回');
      const decide = (decision) =>
        once(decision === 'APPROVE' ? approve : back, async () => {
          msg.replaceChildren();
          try {
            if (it.step === 'change_request')
              await call('DecideChange', {
                id: it.change_request_id,
                approve: decision === 'APPROVE',
                reason: reason.value,
              });
            else
              await call('ReviewTeacher', {
                teacher_number: it.teacher_number,
                decision,
                reason: reason.value,
              });
            msg.replaceChildren(
              el(
                'span',
                { class: 'badge effective' },
                decision === 'APPROVE' ? '已通过' : '已退回',
              ),
            );
            approve.disabled = back.disabled = true;
          } catch (e) {
            msg.append(errorBox(e));
          }
        });
      approve.addEventListener('click', () => decide('APPROVE'));
      back.addEventListener('click', () => decide('RETURN'));
      const actionable = it.step !== 'correction';
      return el(
        'tr',
        {},
        el(
          'td',
          {},
          el(
            'a',
            {
              href: '#',
              onclick: (ev) => {
                ev.preventDefault();
                showTeacher(it.teacher_number);
              },
            },
            it.teacher_number,
          ),
        ),
        el('td', {}, it.name),
        el('td', {}, it.school_code),
        el('td', {}, STEPS[it.step] || it.step),
        el('td', {}, when(it.waiting_since_unix)),
        el('td', {}, actionable ? reason : ''),
        el('td', {}, actionable ? [approve, ' ', back] : ''),
        msg,
      );
    });
    body.replaceChildren(
      careersWaitingNote(q.careers),
      el(
        'table',
        { id: 'queue-table' },
        el(
          'thead',
          {},
          el(
            'tr',
            {},
            ['教师编号', '姓名', '学校', '环节', '等待自', '原因', '操作', ''].map((h) =>
              el('th', {}, h),
            ),
          ),
        ),
        el(
          'tbody',
          {},
          rows.length
            ? rows
            : el('tr', {}, el('td', { colspan: 8, class: 'hint' }, '没有等待您审核的记录')),
        ),
      ),
      el(
        'div',
        { class: 'pager' },
        q.next_page_token
          ? el(
              'button',
              { class: 'secondary', onclick: () => showQueue(q.next_page_token) },
              '下一页',
            )
          : null,
      ),
    );
  } catch (e) {
    body.replaceChildren(errorBox(e));
  }
}
