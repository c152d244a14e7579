// The kit's shell: the side navigation of the pages a user may open, and
// going to one of them. The entry module says which pages there are
// (setPages); screens go to another page by its id, never by importing it.
import { el } from './dom.js';

let pagesOf = () => [];

// `fn` returns [id, label, show] for each page the logged-in user has.
export function setPages(fn) {
  pagesOf = fn;
}

// Draws the navigation with `active` highlighted.
export function nav(active) {
  const n = document.getElementById('nav');
  n.hidden = false;
  n.replaceChildren(
    ...pagesOf().map(([id, label, show]) =>
      el(
        'a',
        {
          id: 'nav-' + id,
          class: id === active ? 'active' : '',
          onclick: () => {
            nav(id);
            show();
          },
        },
        label,
      ),
    ),
  );
}

// Opens page `id` (highlighted in the navigation) with `args`.
export function go(id, ...args) {
  const page = pagesOf().find(([p]) => p === id);
  if (!page) return;
  nav(id);
  page[2](...args);
}
