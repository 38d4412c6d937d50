/**
 * `var(--name)` references resolved to the page's current values, for the places the CSS cascade does not
 * reach: a canvas's stroke styles, and an SVG serialised for the PNG export. Resolved against `el` (so a themed
 * subtree counts); an unset variable becomes a neutral grey rather than an invalid colour.
 */
export function varResolver(el: Element = document.documentElement): (text: string) => string {
  const css = getComputedStyle(el);
  return (text) =>
    text.replace(/var\((--[\w-]+)\)/g, (_, v: string) => css.getPropertyValue(v).trim() || "#888888");
}
