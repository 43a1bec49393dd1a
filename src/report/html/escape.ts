/** Text for HTML element content and attribute values (double- or single-quoted). */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * JSON safe inside `<script type="application/json">`: `</` becomes `<\/` (still the same JSON string) so no value
 * can close the element, and `<!--` is broken up so none can open a script-data comment.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value).replaceAll('</', '<\\/').replaceAll('<!--', '\\u003c!--');
}
