// 教师个人查询: one teacher's national record by teacher number or ID-card
// number, for information managers and administrators. A reason is
// required and kept in the audit log with who asked; the ID-card number is
// sent in the request body only (never in the address) and shown masked.
import { call } from '../kit/api.js';
import { el, errorBox, once, setMain } from '../kit/dom.js';

export function showLookup() {
  const kind = el(
    'select',
    { id: 'lookup-kind' },
    el('option', { value: 'teacher_number' }, '教师编号'),
    el('option', { value: 'id_card_number' }, '身份证号'),
  );
  const key = el('input', {
    id: 'lookup-key',
    autocomplete: 'off',
    required: true,
  });
  const reason = el('input', {
    id: 'lookup-reason',
    autocomplete: 'off',
    placeholder: '如：核查跨省调动材料（2026）教人函 118 号',
  });
  const out = el('div', { id: 'lookup-result' });
  const submit = el('button', { type: 'submit', id: 'lookup-go' }, '查询');
  setMain(
    el(
      'div',
      { class: 'card' },
      el('h1', {}, '教师个人查询'),
      el(
        'p',
        { class: 'notice' },
        '个人信息查询须填写事由；每次查询的账号、时间、对象与事由均记入审计日志。',
      ),
      el(
        'form',
        {
          onsubmit: (ev) => {
            ev.preventDefault();
            once(submit, async () => {
              out.replaceChildren();
              const body = { reason: reason.value };
              body[kind.value] = key.value.trim();
              try {
                const answer = await call('Lookup', body);
                key.value = kind.value === 'id_card_number' ? '' : key.value;
                const matches = answer.matches || [];
                if (matches.length > 1)
                  out.append(
                    el(
                      'div',
                      { class: 'notice' },
                      `此人在 ${matches.length} 个省份均有记录（身份冲突），请联系相关省份核实。`,
                    ),
                  );
                for (const m of matches)
                  out.append(
                    el(
                      'section',
                      { class: 'card lookup-match' },
                      el('h2', {}, `${m.record.name}（${m.province_label}持有）`),
                      el(
                        'div',
                        { class: 'fields' },
                        (m.fields || []).map((f) =>
                          el(
                            'div',
                            {},
                            el('div', { class: 'k' }, f.label),
                            el('div', { class: 'v' }, f.value || '—'),
                          ),
                        ),
                      ),
                    ),
                  );
              } catch (e) {
                out.append(errorBox(e));
              }
            });
          },
        },
        el(
          'div',
          { class: 'row' },
          el('div', {}, el('label', { for: 'lookup-kind' }, '查询方式'), kind),
          el('div', {}, el('label', { for: 'lookup-key' }, '教师编号或身份证号'), key),
        ),
        el('label', { for: 'lookup-reason' }, '查询事由（必填）'),
        reason,
        el('div', { class: 'actions' }, submit),
      ),
      out,
    ),
  );
}
