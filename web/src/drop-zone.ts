/**
 * A file picker that is also a drop target: a labelled native `<input type="file">` (so it
 * is keyboard- and screen-reader-usable as is) inside a zone that accepts dragged files.
 */
import { h } from "./dom.js";

export interface DropZoneOptions {
  id: string;
  label: string;
  hint: string;
  accept?: string;
  multiple?: boolean;
  onFiles(files: File[]): void;
}

export function dropZone(o: DropZoneOptions): HTMLElement {
  const input = h("input", { type: "file", id: o.id, accept: o.accept, multiple: o.multiple, "aria-describedby": `${o.id}-hint` });
  const status = h("span", { class: "drop-file", "aria-live": "polite" });
  const take = (files: File[]) => {
    if (files.length > 0) o.onFiles(files);
  };
  input.addEventListener("change", () => {
    status.textContent = "";
    take([...(input.files ?? [])]);
  });
  const zone = h(
    "div",
    { class: "drop-zone" },
    h("label", { for: o.id, class: "drop-label" }, o.label),
    input,
    h("p", { id: `${o.id}-hint`, class: "hint" }, o.hint),
    status,
  );
  zone.addEventListener("dragover", (e) => {
    e.preventDefault();
    zone.classList.add("dragging");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("dragging");
    const files = [...(e.dataTransfer?.files ?? [])];
    // the native input does not show dropped files, so say which one was taken
    status.textContent = files.length ? `Dropped: ${files.map((f) => f.name).join(", ")}` : "";
    take(files);
  });
  return zone;
}
