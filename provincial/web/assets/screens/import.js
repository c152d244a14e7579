// Imports: templates to download, a file to check or apply, the report.
import { ApiError, upload } from '../kit/api.js';
import { el, errorBox, once, setMain } from '../kit/dom.js';
import { catalog } from '../kit/form.js';
import { me } from '../kit/session.js';

export async function showImport() {
  const cat = await catalog();
  const province = me.unit_level === 1;
  const kinds = [];
  if (province)
    kinds.push(['units', '', '单位（地市、区县、学校）'], ['teachers', '', '教师基本信息']);
  for (const c of cat.categories.slice(1)) kinds.push(['category', c.code, c.label]);
  const kind = el(
    'select',
    { id: 'import-kind' },
    kinds.map(([k, c, l], i) => el('option', { value: String(i) }, l)),
  );
  const file = el('input', {
    id: 'import-file',
    type: 'file',
    accept: '.xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  });
  const templateName = () => {
    const [k, c] = kinds[Number(kind.value)];
    return k === 'category' ? c : k;
  };
  const templateLink = el(
    'a',
    { class: 'button-link', id: 'import-template', href: '#' },
    '下载此模板（Excel）',
  );
  templateLink.addEventListener('click', (ev) => {
    ev.preventDefault();
    const a = el('a', {
      href: '/console/template?' + new URLSearchParams({ name: templateName() }).toString(),
      download: kinds[Number(kind.value)][2] + '导入模板.xlsx',
    });
    document.body.append(a);
    a.click();
    a.remove();
  });
  const strict = el('input', { id: 'import-strict', type: 'checkbox', class: 'check' });
  const out = el('div', { id: 'import-result' });
  const check = el('button', { id: 'import-check' }, '检查文件（试导入）');
  const apply = el(
    'button',
    { id: 'import-apply', class: 'secondary', disabled: true },
    '正式导入',
  );
  const params = (dry) => {
    const [k, c] = kinds[Number(kind.value)];
    return {
      kind: k,
      category: c,
      dry_run: dry ? '1' : '0',
      all_or_nothing: strict.checked ? '1' : '0',
    };
  };
  const run = (dry) => async () => {
    out.replaceChildren();
    if (!file.files.length) {
      out.append(el('div', { class: 'error' }, '请先选择文件'));
      return;
    }
    const res = await upload(params(dry), file.files[0]);
    const data = await res
      .json()
      .catch(() => ({ code: 'unknown', message: '服务器没有给出可读的回答' }));
    if (!res.ok) {
      out.append(errorBox(new ApiError(data.code, data.message)));
      return;
    }
    const problems = data.problems || [];
    out.append(
      el(
        'div',
        { class: problems.length ? 'error' : 'ok', id: 'import-summary' },
        (dry ? '试导入：' : '导入完成：') +
          '读取 ' +
          data.rows_read +
          ' 行，正确 ' +
          data.rows_valid +
          ' 行，' +
          (dry ? '可导入 ' + data.rows_valid : '已导入 ' + data.rows_applied) +
          ' 行，问题 ' +
          data.problems_total +
          ' 处' +
          (data.encoding === 'xlsx'
            ? '（Excel 工作簿）'
            : data.encoding
              ? '（文件编码 ' + data.encoding + '）'
              : ''),
      ),
    );
    if (problems.length) {
      const download = el(
        'button',
        { class: 'secondary', id: 'import-report' },
        '下载问题清单（Excel 可打开）',
      );
      download.addEventListener('click', () =>
        once(download, async () => {
          const r = await upload({ ...params(true), format: 'csv' }, file.files[0]);
          const blob = await r.blob();
          const a = el('a', { href: URL.createObjectURL(blob), download: '导入问题清单.csv' });
          document.body.append(a);
          a.click();
          a.remove();
        }),
      );
      out.append(
        el(
          'table',
          { id: 'problem-table' },
          el(
            'thead',
            {},
            el(
              'tr',
              {},
              ['行', '列', '列名', '值', '规则'].map((h) => el('th', {}, h)),
            ),
          ),
          el(
            'tbody',
            {},
            problems.map((p) =>
              el(
                'tr',
                {},
                el('td', { class: 'num' }, p.row),
                el('td', {}, p.column),
                el('td', {}, p.column_label),
                el('td', {}, p.value),
                el('td', {}, p.rule),
              ),
            ),
          ),
        ),
        el('div', { class: 'actions' }, download),
      );
    }
    apply.disabled =
      !dry || Number(data.rows_valid) === 0 || (strict.checked && problems.length > 0);
  };
  check.addEventListener('click', () => once(check, run(true)));
  apply.addEventListener('click', () =>
    once(apply, async () => {
      await run(false)();
      apply.disabled = true;
    }),
  );
  file.addEventListener('change', () => {
    apply.disabled = true;
    out.replaceChildren();
  });
  setMain(
    el('h1', {}, '数据导入'),
    el(
      'div',
      { class: 'card' },
      el(
        'p',
        { class: 'hint' },
        '先下载模板，在 Excel 或 WPS 中填写（代码列可从下拉列表选择，“填写说明”工作表列出每列的规则），再“检查文件”：系统逐行检查并列出每个问题（行、列、值、规则），不保存任何数据；确认无误后再“正式导入”。也可上传 CSV（UTF-8 或 GB18030 编码），第一行为表头（列名或中文列名均可）。',
      ),
      el(
        'div',
        { class: 'row' },
        el('div', {}, el('label', { for: 'import-kind' }, '导入模板'), kind),
        el('div', { class: 'bottom' }, templateLink),
        el('div', {}, el('label', { for: 'import-file' }, '选择文件（.xlsx 或 .csv）'), file),
      ),
      el('label', { class: 'inline' }, strict, ' 全部正确才导入（有任何问题则一行都不导入）'),
      el('div', { class: 'actions' }, check, apply),
      out,
    ),
  );
}
