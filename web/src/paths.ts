/**
 * Request paths with every interpolated id percent-encoded: an id is data, never path syntax.
 * (A company id like `../../../partners/x` once turned Unmap into `DELETE /v1/partners/x`.)
 * Query strings are appended after the tagged part, already encoded by URLSearchParams.
 */
export function path(strings: TemplateStringsArray, ...ids: Array<string | number>): string {
  return strings.reduce((out, part, i) => out + part + (i < ids.length ? encodeURIComponent(String(ids[i])) : ''), '');
}
