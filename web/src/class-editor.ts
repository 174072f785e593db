/**
 * The editable class list of the Pack form: one row per class with a colour (editable for
 * legacy files, which store colours; shown for CZANN files, whose colours ZEN picks from
 * czmodel's sequence), a name, and a Remove button; plus an Add button. Every input is
 * labelled ("Class 2 name", "Class 2 colour").
 */
import { classColors } from "../../src/metadata/index.js";
import { h, hexRgb, rgbHex } from "./dom.js";

interface Row {
  name: HTMLInputElement;
  color: HTMLInputElement;
}

export class ClassEditor {
  readonly element: HTMLElement;
  private readonly list: HTMLOListElement;
  private rows: Row[] = [];
  private editable = true;

  constructor(
    id: string,
    private readonly onChange: () => void,
  ) {
    this.list = h("ol", { class: "class-list", id, "aria-label": "Classes" });
    const add = h("button", { type: "button", id: `${id}-add` }, "Add class");
    add.addEventListener("click", () => {
      this.add(`Class ${this.rows.length}`);
      this.rows.at(-1)?.name.focus();
      this.onChange();
    });
    this.element = h("div", {}, this.list, add);
  }

  get names(): string[] {
    return this.rows.map((r) => r.name.value);
  }

  get colors(): [number, number, number][] {
    return this.rows.map((r) => hexRgb(r.color.value));
  }

  set colorsEditable(editable: boolean) {
    this.editable = editable;
    for (const r of this.rows) r.color.disabled = !editable;
  }

  /** Replace the classes; colours default to czmodel's sequence. */
  set(names: readonly string[], colors?: readonly (readonly [number, number, number])[]): void {
    this.rows = [];
    this.list.replaceChildren();
    const defaults = classColors(names.length);
    for (const [i, n] of names.entries()) this.add(n, colors?.[i] ?? defaults[i]!);
  }

  private add(name: string, color?: readonly [number, number, number]): void {
    const n = this.rows.length + 1;
    const nameInput = h("input", {
      type: "text",
      class: "class-name",
      "aria-label": `Class ${n} name`,
      value: name,
      oninput: () => this.onChange(),
    });
    const colorInput = h("input", {
      type: "color",
      class: "class-color",
      "aria-label": `Class ${n} colour`,
      value: rgbHex(color ?? classColors(n)[n - 1]!),
      oninput: () => this.onChange(),
    });
    colorInput.disabled = !this.editable;
    const row: Row = { name: nameInput, color: colorInput };
    const remove = h("button", { type: "button", class: "remove", "aria-label": `Remove class ${n}` }, "Remove");
    const li = h("li", {}, colorInput, nameInput, remove);
    remove.addEventListener("click", () => {
      this.rows.splice(this.rows.indexOf(row), 1);
      li.remove();
      this.onChange();
    });
    this.rows.push(row);
    this.list.append(li);
  }
}
