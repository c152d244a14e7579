// The review queue: what waits for the user's unit.
import { call } from '../kit/api.js';
import { el, errorBox, once, setMain, when } from '../kit/dom.js';
import { STEPS } from '../kit/labels.js';
import { careersWaitingNote } from './careers.js';
import { showTeacher } from './teachers.js';

// A change request as its reviewer weighs it: which information, each
// item's value now beside the value asked for, and the requester's reason.
function changeDetails(it) {
  if (it.step !== 'change_request') return null;
  const what =
    (it.category_label || '基本信息') +
    (it.delete_entry
      ? '：删除第 ' + it.entry_no + ' 条'
      : it.entry_no
        ? '：第 ' + it.entry_no + ' 条'
        : it.category_label && it.category_label !== '基本信息'
          ? '：新增一条'
          : '');
  return el(
    'div',
    { class: 'change-details' },
    el('div', { class: 'hint' }, what),
    el(
      'table',
      { class: 'compare' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['项目', '原值', '申请改为'].map((h) => el('th', {}, h)),
        ),
      ),
      el(
        'tbody',
        {},
        (it.changes || []).map((c) =>
          el(
            'tr',
            {},
            el('td', {}, c.label || c.field),
            el('td', {}, c.old_value || '（空）'),
            el('td', { class: 'new' }, it.delete_entry ? '（删除）' : c.new_value || '（空）'),
          ),
        ),
      ),
    ),
    el('div', { class: 'hint' }, '申请原因：' + (it.reason || '（未填写）')),
  );
}

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
        el('td', {}, it.school_name || it.school_code),
        el('td', {}, STEPS[it.step] || it.step, changeDetails(it)),
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
            ['教师编号', '姓名', '学校', '环节与内容', '等待自', '审核意见', '操作', '结果'].map(
              (h) => el('th', {}, h),
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
