// A view's whole state in the address bar, so a view can be bookmarked or
// sent to a colleague: "#dash?area=4401&year=2026&gender=2". Screens read
// it when they open and write it on every change (without a new history
// entry for each click on a filter, with one for each drill-down).

// The page a hash names ("dash" for "#dash?area=44").
export function pageOfHash(hash) {
  return (hash || '').replace(/^#/, '').split('?')[0];
}

// The state of the current address for `page` (empty if it names another).
export function readState(page) {
  const [p, q] = location.hash.replace(/^#/, '').split('?');
  if (p !== page) return new URLSearchParams();
  return new URLSearchParams(q || '');
}

// Writes `state` (a URLSearchParams) as the address of `page`.
export function writeState(page, state, push) {
  const q = state.toString();
  const hash = '#' + page + (q ? '?' + q : '');
  if (hash === location.hash) return;
  if (push) history.pushState(null, '', hash);
  else history.replaceState(null, '', hash);
}
