// The province's sync to the national node: health and a sync on demand.
import { call } from '../kit/api.js';
import { el, errorBox, setMain, when } from '../kit/dom.js';

export async function showSync() {
  setMain(el('div', { class: 'loading' }, '正在查询…'));
  let h;
  try {
    h = await call('GetSyncHealth', {});
  } catch (e) {
    setMain(errorBox(e));
    return;
  }
  // One label with its value, kept together in the grid's cell.
  const kv = (k, v) =>
    el(
      'div',
      {},
      el('div', { class: 'k' }, k),
      el('div', { class: 'v' }, v === undefined || v === '' ? '—' : String(v)),
    );
  setMain(
    el('h1', {}, '与全国节点的同步'),
    el(
      'div',
      { class: 'card', id: 'sync-health' },
      h.last_error
        ? el('div', { class: 'error' }, '最近一次同步失败：' + h.last_error)
        : el('div', { class: 'ok' }, '同步正常'),
      el(
        'div',
        { class: 'fields' },
        kv('自动同步', h.scheduled ? '已开启' : '未开启'),
        kv('最近一次尝试', when(h.last_attempt_unix)),
        kv('最近一次成功', when(h.last_success_unix) || '尚未成功'),
        kv('下次同步', h.scheduled ? when(h.next_run_unix) : '未开启自动同步'),
        kv('连续失败次数', h.consecutive_failures),
        kv('待同步的变更', h.backlog),
        kv('全国节点退回的记录', h.open_rejections),
        kv('学校名录版本', h.school_registry_version),
        kv('本省名录学校数', h.registry_schools),
      ),
    ),
    (h.newest_rejections || []).length
      ? el(
          'div',
          { class: 'card' },
          el('h2', {}, '全国节点退回的记录'),
          el(
            'table',
            {},
            el(
              'tbody',
              {},
              h.newest_rejections.map((r) =>
                el(
                  'tr',
                  {},
                  el('td', {}, r.teacher_number),
                  el('td', {}, r.field),
                  el('td', {}, r.reason),
                ),
              ),
            ),
          ),
        )
      : null,
  );
}
