/**
 * Tiny DOM helpers for a framework-free page: `h()` builds elements, `errorText()` gives the
 * one-line message the CLI would print for any thrown value, and `formatBytes()` sizes (from the core).
 */
import { describeError, isCzmodelError } from "../../src/errors.js";
import { PageError } from "./worker-client.js";
import { bytesToHex } from "../../src/bytes/hex.js";
export { formatBytes } from "../../src/render/format.js";

type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, string | number | boolean | null | undefined | ((event: never) => void)>;

/** `h("button", { class: "x", onclick: fn, disabled: true }, "Label")`. */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (typeof value === "function") el.addEventListener(key.slice(2), value as EventListener);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, ...children);
  return el;
}

function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === "number" ? String(c) : c);
  }
}

/** Replace an element's children. */
export function setChildren(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

/** The message the CLI prints after `czmodel: error:` for this error. */
export function errorText(e: unknown): string {
  if (e instanceof PageError) return e.info.message;
  if (isCzmodelError(e)) return e.message;
  return describeError(e);
}

/** An error box (announced to screen readers). */
export function errorBox(e: unknown, prefix = "Error"): HTMLElement {
  return h("p", { class: "error", role: "alert" }, h("strong", {}, `${prefix}: `), h("span", { class: "error-message" }, errorText(e)));
}

function rgbCss([r, g, b]: readonly [number, number, number]): string {
  return `rgb(${r}, ${g}, ${b})`;
}

export function rgbHex([r, g, b]: readonly [number, number, number]): string {
  return `#${bytesToHex([r, g, b])}`;
}

export function hexRgb(hex: string): [number, number, number] {
  const v = Number.parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

/** A colour swatch with its value as text for screen readers. */
export function swatch(color: readonly [number, number, number]): HTMLElement {
  return h("span", {
    class: "swatch",
    style: `background:${rgbCss(color)}`,
    role: "img",
    "aria-label": `colour ${rgbHex(color)}`,
    title: rgbHex(color),
  });
}

/** A two-column table of facts. */
export function factTable(rows: [string, Child][], caption?: string): HTMLTableElement {
  return h(
    "table",
    { class: "facts" },
    caption ? h("caption", {}, caption) : null,
    h("tbody", {}, ...rows.map(([k, v]) => h("tr", {}, h("th", { scope: "row" }, k), h("td", {}, v)))),
  );
}

/** A table with a header row. */
export function dataTable(head: string[], rows: Child[][], caption?: string, cls = "data"): HTMLTableElement {
  return h(
    "table",
    { class: cls },
    caption ? h("caption", {}, caption) : null,
    h("thead", {}, h("tr", {}, ...head.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, ...rows.map((r) => h("tr", {}, ...r.map((c) => h("td", {}, c))))),
  );
}

/** Save bytes as a download named `name`. */
export function download(bytes: Uint8Array, name: string, type = "application/octet-stream"): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }));
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** Debounce a function. */
export function debounce(fn: () => void, ms: number): () => void {
  let t: ReturnType<typeof setTimeout> | undefined;
  return () => {
    clearTimeout(t);
    t = setTimeout(fn, ms);
  };
}
