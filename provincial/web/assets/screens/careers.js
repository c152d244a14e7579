// The careers screen (调动与变动): what waits for the user's unit, what it
// filed, filing a transfer, a status change or a rotation, and the
// rotation report.
import { call } from '../kit/api.js';
import { el, errorBox, once, setMain, todayText, when } from '../kit/dom.js';
import { catalog } from '../kit/form.js';
import { CASE_KINDS } from '../kit/labels.js';
import { me } from '../kit/session.js';
import { unitPicker } from '../kit/unit_picker.js';
import { go } from '../kit/shell.js';

export const ROTATION_KINDS = ['轮岗', '支教', '走教', '交流', '跟岗', '对口帮扶'];

// What a case is about, in one line.
export function caseSubject(c) {
  if (c.kind === 'CAREER_STATUS_CHANGE')
    return (
      (c.from_status_label || '') +
      ' → ' +
      (c.to_status_label || '') +
      '（' +
      (c.effective_date || '') +
      '）'
    );
  if (c.kind === 'CAREER_ROTATION')
    return (
      (c.rotation_kind || '') +
      '：' +
      (c.from_school_name || c.from_school) +
      ' → ' +
      (c.to_school_name || c.to_school) +
      '（' +
      c.start_date +
      ' 至 ' +
      c.end_date +
      '）'
    );
  return (
    (c.from_school_name || c.from_school) +
    ' → ' +
    (c.to_school_name || c.to_school) +
    '（' +
    (c.effective_date || '') +
    ' 生效）'
  );
}

// The steps as a row of chips: decided, waiting, to come.
export function caseSteps(c) {
  const remote = (c.remote_steps || []).length
    ? el(
        'div',
        { class: 'steps' },
        el(
          'span',
          { class: 'hint' },
          (c.incoming ? '调入省份' : '调出省份') + '（' + (c.remote_province || '') + '）：',
        ),
        c.remote_steps.map((s) =>
          el(
            'span',
            {
              class:
                'step ' +
                (s.decision === 'approved'
                  ? 'done'
                  : s.decision === 'returned'
                    ? 'returned'
                    : 'todo'),
              title: s.decided_by ? s.decided_by + ' ' + when(s.decided_unix) : '',
            },
            s.role + ' · ' + s.unit_name,
          ),
        ),
      )
    : null;
  return [
    el(
      'div',
      { class: 'steps' },
      (c.steps || []).map((s, i) => {
        const state =
          s.decision === 'approved'
            ? 'done'
            : s.decision === 'returned'
              ? 'returned'
              : c.state === 'open' && i === (c.step || 0)
                ? 'waiting'
                : 'todo';
        const title = s.decided_by
          ? s.decided_by + ' ' + when(s.decided_unix) + (s.reason ? '：' + s.reason : '')
          : '';
        return el('span', { class: 'step ' + state, title }, s.role + ' · ' + s.unit_name);
      }),
    ),
    remote,
  ];
}

export function caseTable(id, cases, actions) {
  const rows = cases.map((c) =>
    el(
      'tr',
      {},
      el('td', { class: 'num' }, c.id),
      el('td', {}, CASE_KINDS[c.kind] || c.kind_label),
      el('td', {}, c.teacher_number + ' ' + (c.teacher_name || '')),
      el('td', {}, caseSubject(c), ...caseSteps(c)),
      el(
        'td',
        {},
        c.state_label,
        c.closing_reason ? el('div', { class: 'hint' }, '原因：' + c.closing_reason) : null,
      ),
      el('td', {}, actions ? actions(c) : ''),
    ),
  );
  return el(
    'table',
    { id },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ['编号', '类别', '教师', '内容与审核环节', '状态', '操作'].map((h) => el('th', {}, h)),
      ),
    ),
    el(
      'tbody',
      {},
      rows.length ? rows : el('tr', {}, el('td', { colspan: 6, class: 'hint' }, '没有记录')),
    ),
  );
}

export async function showCareers() {
  const waiting = el('div', {}, el('div', { class: 'loading' }, '正在查询…'));
  const filed = el('div', {}, el('div', { class: 'loading' }, '正在查询…'));
  const report = el('div', {});
  const load = async () => {
    try {
      const w = await call('ListCareerCases', { view: 'waiting' });
      waiting.replaceChildren(
        caseTable('career-waiting', w.cases || [], (c) => {
          const reason = el('input', { placeholder: '意见（退回时必填）', class: 'reason' });
          // The receiving school's last step completes the transfer (调档).
          const completing = (c.steps || [])[c.step || 0]?.role === '调入学校（调档）';
          const approve = el(
            'button',
            { class: 'approve' },
            completing ? '调档，完成调动' : '同意',
          );
          const back = el('button', { class: 'danger' }, '退回');
          const msg = el('div', {});
          const decide = (decision, button) =>
            once(button, async () => {
              msg.replaceChildren();
              try {
                await call('DecideCareerStep', {
                  case_id: c.id,
                  step: c.step || 0,
                  decision,
                  reason: reason.value,
                });
                approve.disabled = back.disabled = true;
                load();
              } catch (e) {
                msg.append(errorBox(e));
              }
            });
          approve.addEventListener('click', () => decide('APPROVE', approve));
          back.addEventListener('click', () => decide('RETURN', back));
          return [reason, el('div', { class: 'actions' }, approve, back), msg];
        }),
      );
      const f = await call('ListCareerCases', { view: 'filed', page_size: 20 });
      filed.replaceChildren(
        caseTable('career-filed', f.cases || [], (c) => {
          if (c.state !== 'open' && c.state !== 'scheduled') return '';
          const reason = el('input', { placeholder: '撤回原因', class: 'reason' });
          const withdraw = el('button', { class: 'secondary' }, '撤回');
          const msg = el('div', {});
          withdraw.addEventListener('click', () =>
            once(withdraw, async () => {
              msg.replaceChildren();
              try {
                await call('WithdrawCareerCase', { case_id: c.id, reason: reason.value });
                load();
              } catch (e) {
                msg.append(errorBox(e));
              }
            }),
          );
          return [reason, ' ', withdraw, msg];
        }),
      );
    } catch (e) {
      waiting.replaceChildren(errorBox(e));
    }
  };

  const cards = [
    el('h1', {}, '调动与变动'),
    el('div', { class: 'card' }, el('h2', {}, '待本单位审核（先到先审）'), waiting),
  ];
  if (me.user.role === 'USER_ROLE_MANAGER') cards.push(await fileCard(load));
  cards.push(el('div', { class: 'card' }, el('h2', {}, '本单位提交的申请'), filed));
  if (me.unit_level <= 3) {
    cards.push(el('div', { class: 'card' }, el('h2', {}, '交流轮岗统计（本学年）'), report));
    call('GetRotationReport', {})
      .then((r) => report.replaceChildren(...rotationTable(r)))
      .catch((e) => report.replaceChildren(errorBox(e)));
  }
  setMain(...cards);
  load();
}

export async function fileCard(done) {
  const cat = await catalog();
  const statusDef = cat.categories[0].fields.find((f) => f.name === 'status');
  const kind = el(
    'select',
    { id: 'career-kind' },
    // A transfer is the receiving school's request (docs/operators.md).
    me.unit_level === 4 ? el('option', { value: 'transfer' }, '调动（调入本校）') : null,
    el('option', { value: 'status' }, '在职情况变动'),
    el(
      'option',
      { value: 'rotation' },
      me.unit_level === 4 ? '交流轮岗（派出本校教师）' : '交流轮岗',
    ),
  );
  const number = el('input', { id: 'career-teacher', placeholder: '12 位教师编号' });
  const idCard = el('input', {
    id: 'career-id-card',
    placeholder: '或身份证件号码',
    autocomplete: 'off',
  });
  const date = el('input', { id: 'career-date', type: 'date', value: todayText() });
  const until = el('input', { id: 'career-until', type: 'date' });
  const status = el(
    'select',
    { id: 'career-status' },
    (statusDef.codes || []).map((c) => {
      const [code, label] = c.split('=');
      return el('option', { value: code }, code + ' ' + label);
    }),
  );
  // The receiving school is picked by name from the province's directory.
  const host = unitPicker({
    id: 'career-host',
    label: '接收学校',
    root: { code: me.user.unit_code.slice(0, 2), name: '本省单位名录', level: 1 },
    directory: true,
    empty: '（请从单位名录中选择学校）',
  });
  const rkind = el(
    'select',
    { id: 'career-rotation-kind' },
    ROTATION_KINDS.map((k) => el('option', { value: k }, k)),
  );
  const reason = el('input', { id: 'career-reason', placeholder: '原因' });
  const submit = el('button', { id: 'career-file', type: 'submit' }, '提交申请');
  const msg = el('div', { id: 'career-message' });
  const field = (id, label, input, kinds) => {
    const b = el('div', { 'data-kinds': kinds }, el('label', { for: id }, label), input);
    return b;
  };
  const blocks = [
    field('career-teacher', '教师编号', number, 'transfer status rotation'),
    field('career-id-card', '身份证件号码（不知道编号时）', idCard, 'transfer'),
    field('career-status', '变动为', status, 'status'),
    field('career-host', '接收学校', host, 'rotation'),
    field('career-rotation-kind', '方式', rkind, 'rotation'),
    field('career-date', '生效日期 / 开始日期', date, 'transfer status rotation'),
    field('career-until', '结束日期', until, 'rotation'),
    field('career-reason', '原因', reason, 'transfer status rotation'),
  ];
  const show = () =>
    blocks.forEach((b) => {
      b.hidden = !b.getAttribute('data-kinds').split(' ').includes(kind.value);
    });
  kind.addEventListener('change', () => {
    show();
    msg.replaceChildren();
  });
  show();
  const form = el(
    'form',
    {
      class: 'card',
      onsubmit: (ev) => {
        ev.preventDefault();
        once(submit, async () => {
          msg.replaceChildren();
          try {
            let c;
            if (kind.value === 'transfer')
              c = await call('FileTransfer', {
                teacher_number: number.value.trim(),
                id_card_number: idCard.value.trim(),
                effective_date: date.value,
                reason: reason.value,
              });
            else if (kind.value === 'status')
              c = await call('FileStatusChange', {
                teacher_number: number.value.trim(),
                status: status.value,
                effective_date: date.value,
                reason: reason.value,
              });
            else
              c = await call('FileRotation', {
                teacher_number: number.value.trim(),
                host_school: host.value,
                kind: rkind.value,
                start_date: date.value,
                end_date: until.value,
                reason: reason.value,
              });
            msg.append(
              el(
                'div',
                { class: 'ok' },
                '已提交第 ' + c.id + ' 号' + c.kind_label + '申请：' + c.state_label,
              ),
            );
            idCard.value = '';
            done();
          } catch (e) {
            msg.append(errorBox(e));
          }
        });
      },
    },
    el('h2', {}, '发起申请'),
    el(
      'p',
      { class: 'hint' },
      '调动由调入学校提出（即调入申请），经调入学校主管部门（人事股）、调出学校、调出学校主管部门审核同意后，由调入学校调档，完成调动；生效日期在以后的，到那天才生效。在职情况变动与交流轮岗由学校提出、主管部门审核。调动办理期间，该教师的信息不能修改。',
    ),
    el('div', { class: 'row' }, el('div', {}, el('label', { for: 'career-kind' }, '类别'), kind)),
    el('div', { class: 'row wrap' }, blocks),
    el('div', { class: 'actions' }, submit),
    msg,
  );
  return form;
}

export function rotationTable(r) {
  const pct = (x) => Math.round(1000 * (x || 0)) / 10 + '%';
  const row = (x, total) =>
    el(
      'tr',
      { class: total ? 'total' : '' },
      el('td', {}, x.unit_name + '（' + x.unit_code + '）'),
      el('td', { class: 'num' }, x.teachers || 0),
      el('td', { class: 'num' }, x.eligible || 0),
      el('td', { class: 'num' }, x.rotated || 0),
      el('td', { class: 'num' }, pct(x.share)),
      el('td', { class: 'num' }, x.backbone_rotated || 0),
      el('td', { class: 'num' }, pct(x.backbone_share)),
    );
  return [
    el(
      'p',
      { class: 'hint' },
      r.from_date +
        ' 至 ' +
        r.to_date +
        '；在同一学校满 ' +
        r.years_required +
        ' 年的教师应交流，目标：交流比例不低于 ' +
        pct(r.target_share) +
        '，其中骨干教师（入选人才项目的教师）不低于 ' +
        pct(r.target_backbone_share) +
        '。',
    ),
    el(
      'table',
      { id: 'rotation-report' },
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['单位', '在职教师', '应交流', '已交流', '交流比例', '其中骨干', '骨干比例'].map((h) =>
            el('th', {}, h),
          ),
        ),
      ),
      el(
        'tbody',
        {},
        (r.children || []).map((x) => row(x, false)),
        row(r.total || {}, true),
      ),
    ),
  ];
}

// A school's teacher list: who rotates in.
export function rotatingInCard(cases) {
  if (!cases || !cases.length) return null;
  return el(
    'div',
    { class: 'card', id: 'rotating-in' },
    el('h2', {}, '交流轮岗到本校的教师'),
    el(
      'table',
      {},
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          ['教师', '派出学校', '方式', '期间', '状态'].map((h) => el('th', {}, h)),
        ),
      ),
      el(
        'tbody',
        {},
        cases.map((c) =>
          el(
            'tr',
            {},
            el('td', {}, c.teacher_number + ' ' + (c.teacher_name || '')),
            el('td', {}, c.from_school_name || c.from_school),
            el('td', {}, c.rotation_kind),
            el('td', {}, c.start_date + ' 至 ' + c.end_date),
            el('td', {}, c.state_label),
          ),
        ),
      ),
    ),
  );
}

// The review queue's note of careers cases waiting for the unit.
export function careersWaitingNote(cases) {
  if (!cases || !cases.length) return '';
  const open = el(
    'a',
    {
      href: '#',
      id: 'queue-careers',
      onclick: (ev) => {
        ev.preventDefault();
        go('careers');
      },
    },
    '去审核',
  );
  return el(
    'div',
    { class: 'notice' },
    '另有 ' +
      cases.length +
      ' 项调动与变动申请等待本单位审核（' +
      cases
        .map((c) => c.kind_label + ' ' + (c.teacher_name || c.teacher_number))
        .slice(0, 3)
        .join('、') +
      (cases.length > 3 ? ' 等' : '') +
      '）：',
    open,
  );
}
