// The kit's unit picker: the user's own unit and the tree below it (city,
// county, school), opened a level at a time from the node (ListUnits), so
// that a province of 20,000 schools loads only what is looked at. Wherever
// a unit is chosen, the clerk picks it by name, never types a code.
import { call } from './api.js';
import { el, errorBox } from './dom.js';
import { LEVELS } from './labels.js';

// `root`: { code, name, level }; `onchange(unit)` after a pick; with
// `directory`, the province's directory of units beyond the user's own
// (ListUnitsRequest.directory). The returned element has .value (the code)
// and .unit (the chosen unit); `empty` shows before anything is picked.
export function unitPicker({ id, root, onchange, label, directory, empty }) {
  const shown = el('span', { class: 'picked' }, empty || root.name);
  const button = el(
    'button',
    {
      type: 'button',
      class: 'picker-button',
      id,
      'aria-haspopup': 'tree',
      'aria-expanded': 'false',
      'aria-label': (label || '选择单位') + '：' + (empty || root.name),
    },
    shown,
    el('span', { class: 'caret', 'aria-hidden': 'true' }, '▾'),
  );
  const panel = el('div', { class: 'picker-panel', hidden: true });
  const box = el('div', { class: 'picker' }, button, panel);
  box.value = empty ? '' : root.code;
  box.unit = empty ? null : root;
  const pick = (unit) => {
    box.value = unit.code;
    box.unit = unit;
    shown.textContent = unit.name;
    button.setAttribute('aria-label', (label || '选择单位') + '：' + unit.name);
    close();
    if (onchange) onchange(unit);
  };
  const close = () => {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
  };
  // One unit's line: open its children (not a school's), choose it.
  const node = (unit) => {
    const children = el('ul', { role: 'group', hidden: true });
    let loaded = false;
    const canOpen = Number(unit.level) < 4;
    const toggle = el(
      'button',
      {
        type: 'button',
        class: 'toggle',
        id: id + '-open-' + unit.code,
        'aria-label': '展开' + unit.name,
        'aria-expanded': 'false',
        disabled: !canOpen,
      },
      canOpen ? '▸' : '·',
    );
    toggle.addEventListener('click', async () => {
      const opening = children.hidden;
      children.hidden = !opening;
      toggle.textContent = opening ? '▾' : '▸';
      toggle.setAttribute('aria-expanded', String(opening));
      if (!opening || loaded) return;
      loaded = true;
      children.replaceChildren(el('li', { class: 'hint' }, '正在载入…'));
      try {
        const r = await call('ListUnits', { unit_code: unit.code, directory: !!directory });
        const units = r.units || [];
        children.replaceChildren(
          ...(units.length ? units.map(node) : [el('li', { class: 'hint' }, '没有下级单位')]),
        );
      } catch (e) {
        loaded = false;
        children.replaceChildren(el('li', {}, errorBox(e)));
      }
    });
    const choose = el(
      'button',
      { type: 'button', class: 'choose', id: id + '-pick-' + unit.code },
      unit.name,
      el('span', { class: 'hint' }, ' ' + (LEVELS[unit.level] || '') + ' ' + unit.code),
    );
    choose.addEventListener('click', () => pick(unit));
    return el('li', { role: 'treeitem' }, el('div', { class: 'node' }, toggle, choose), children);
  };
  button.addEventListener('click', () => {
    const opening = panel.hidden;
    panel.hidden = !opening;
    button.setAttribute('aria-expanded', String(opening));
    if (opening && !panel.firstChild)
      panel.append(el('ul', { role: 'tree', 'aria-label': label || '单位' }, node(root)));
  });
  box.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape') close();
  });
  return box;
}
