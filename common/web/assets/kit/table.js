// The kit's tables: a list of rows under labelled columns, sortable by any
// column that says how (a click on its header sorts, a second click
// reverses; aria-sort tells screen readers), with a line of its own when
// there are no rows. Cells are built by the screen (text or elements).
import { el } from './dom.js';

// columns: [{ label, cell: (row) => text|Node, sort?: (row) => string|number }]
export function dataTable({ id, columns, rows, empty }) {
  let order = null; // { index, dir }
  const body = el('tbody');
  const heads = columns.map((c, i) => {
    if (!c.sort) return el('th', { scope: 'col' }, c.label);
    const button = el('button', { type: 'button', class: 'sort' }, c.label);
    const th = el('th', { scope: 'col', 'aria-sort': 'none' }, button);
    button.addEventListener('click', () => {
      order = { index: i, dir: order && order.index === i ? -order.dir : 1 };
      draw();
    });
    return th;
  });
  const draw = () => {
    let list = rows;
    if (order) {
      const key = columns[order.index].sort;
      list = [...rows].sort((a, b) => {
        const x = key(a),
          y = key(b);
        return (x < y ? -1 : x > y ? 1 : 0) * order.dir;
      });
    }
    heads.forEach((th, i) => {
      if (!columns[i].sort) return;
      const sorted = order && order.index === i;
      th.setAttribute('aria-sort', sorted ? (order.dir > 0 ? 'ascending' : 'descending') : 'none');
    });
    body.replaceChildren(
      ...(list.length
        ? list.map((row) =>
            el(
              'tr',
              {},
              columns.map((c) => el('td', {}, c.cell(row))),
            ),
          )
        : [
            el('tr', {}, el('td', { colspan: columns.length, class: 'hint' }, empty || '没有记录')),
          ]),
    );
  };
  draw();
  return el('table', { id }, el('thead', {}, el('tr', {}, heads)), body);
}
