// The node's field problems in the clerk's words. The node answers a bad
// field as "field='value': rule" (the rule in Chinese; several joined by
// "; " or "；"), which a screen can place under the field itself (kit/form.js);
// anywhere else it reads "民族「77」：不是有效的代码…", with the field's label
// from the node's own table (GET /console/labels, "fields").
export const FIELD_LABELS = {}; // ethnicity → 民族

const PROBLEM = /^([a-z_0-9.]+)='([\s\S]*?)': ([\s\S]*)$/;

// One problem's parts, or null for other text.
export function fieldProblem(part) {
  const m = part.match(PROBLEM);
  return m ? { field: m[1], value: m[2], rule: m[3] } : null;
}

export function humanize(text) {
  return String(text)
    .split(/; |；/)
    .map((part) => {
      const p = fieldProblem(part);
      if (!p) return part;
      const label = FIELD_LABELS[p.field] || FIELD_LABELS[p.field.replace(/^custom\./, '')];
      if (!label) return part;
      return p.value ? label + '「' + p.value + '」：' + p.rule : label + '：' + p.rule;
    })
    .join('；');
}
