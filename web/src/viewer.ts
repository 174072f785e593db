/**
 * The image viewer: a canvas showing the image with the result as a coloured overlay, an
 * opacity slider, and pan / zoom by mouse (drag, wheel), keyboard (arrows, + / −, 0 to fit)
 * and buttons. It draws two base pictures (image and result, at most a few megapixels, made
 * once) and, when zoomed in past their resolution, asks for a detail picture of just the
 * visible region at screen resolution (`detail` callback, served by the worker from the file
 * and the stored result). So memory stays bounded by the screen, not by the image.
 */
import { h } from "./dom.js";
import type { Picture } from "./protocol.js";

export interface ViewRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

interface DetailPictures {
  image: Picture;
  result?: Picture;
}

type DetailFn = (rect: ViewRect, width: number, height: number) => Promise<DetailPictures>;

function toCanvas(p: Picture): HTMLCanvasElement {
  const c = document.createElement("canvas");
  c.width = p.width;
  c.height = p.height;
  c.getContext("2d")!.putImageData(new ImageData(p.rgba as Uint8ClampedArray<ArrayBuffer>, p.width, p.height), 0, 0);
  return c;
}

export class Viewer {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly opacity: HTMLInputElement;
  private width = 0;
  private height = 0;
  private baseImage: HTMLCanvasElement | undefined;
  private baseResult: HTMLCanvasElement | undefined;
  private detail: { rect: ViewRect; image: HTMLCanvasElement; result?: HTMLCanvasElement } | undefined;
  private detailFn: DetailFn | undefined;
  private detailSeq = 0;
  private scale = 1;
  private originX = 0;
  private originY = 0;
  private readonly requestDetailSoon: () => void;
  /** Called with the image pixel under the pointer, or undefined when it leaves the image. */
  onHover: ((pixel: { x: number; y: number } | undefined) => void) | undefined;

  constructor(private readonly label: string) {
    this.canvas = h("canvas", {
      id: "viewer-canvas",
      tabindex: 0,
      role: "img",
      "aria-label": `${label}: no image`,
      class: "viewer-canvas",
    });
    this.opacity = h("input", { id: "viewer-opacity", type: "range", min: 0, max: 100, value: 60, "aria-valuetext": "60 %" });
    const button = (text: string, title: string, fn: () => void) =>
      h("button", { type: "button", title, "aria-label": title, onclick: fn }, text);
    this.element = h(
      "figure",
      { class: "viewer" },
      h(
        "div",
        { class: "viewer-controls" },
        button("+", "Zoom in", () => this.zoomBy(1.5)),
        button("−", "Zoom out", () => this.zoomBy(1 / 1.5)),
        button("Fit", "Fit the image to the view", () => this.fit()),
        h("label", { for: "viewer-opacity" }, "Overlay opacity"),
        this.opacity,
      ),
      this.canvas,
      h("figcaption", { class: "hint" }, "Drag or use the arrow keys to pan; wheel or + / − to zoom; 0 fits the image."),
    );
    this.opacity.addEventListener("input", () => {
      this.opacity.setAttribute("aria-valuetext", `${this.opacity.value} %`);
      this.draw();
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    this.requestDetailSoon = () => {
      clearTimeout(timer);
      timer = setTimeout(() => void this.requestDetail(), 200);
    };
    this.bindInput();
    new ResizeObserver(() => this.resize()).observe(this.canvas);
  }

  /** A new image: its full size and an overview picture of it. */
  setImage(width: number, height: number, overview: Picture, detail: DetailFn): void {
    this.width = width;
    this.height = height;
    this.baseImage = toCanvas(overview);
    this.baseResult = undefined;
    this.detail = undefined;
    this.detailFn = detail;
    this.canvas.setAttribute("aria-label", `${this.label}: ${width} × ${height} pixels`);
    this.canvas.dataset.image = `${width}x${height}`;
    delete this.canvas.dataset.result;
    this.resize();
    this.fit();
  }

  /** The result overview (or none); detail pictures are fetched again. */
  setResult(overview: Picture | undefined): void {
    this.baseResult = overview ? toCanvas(overview) : undefined;
    if (overview) this.canvas.dataset.result = "shown";
    else delete this.canvas.dataset.result;
    this.detail = undefined;
    this.draw();
    this.requestDetailSoon();
  }

  clear(): void {
    this.baseImage = this.baseResult = undefined;
    this.detail = undefined;
    this.width = this.height = 0;
    this.canvas.setAttribute("aria-label", `${this.label}: no image`);
    delete this.canvas.dataset.image;
    delete this.canvas.dataset.result;
    this.draw();
  }

  get overlayOpacity(): number {
    return Number(this.opacity.value) / 100;
  }

  private resize(): void {
    const dpr = window.devicePixelRatio || 1;
    const w = Math.max(1, Math.round(this.canvas.clientWidth * dpr));
    const hh = Math.max(1, Math.round(this.canvas.clientHeight * dpr));
    if (w !== this.canvas.width || hh !== this.canvas.height) {
      this.canvas.width = w;
      this.canvas.height = hh;
    }
    this.draw();
  }

  fit(): void {
    if (!this.width) return;
    const { width: cw, height: ch } = this.canvas;
    this.scale = Math.min(cw / this.width, ch / this.height);
    this.originX = (this.width - cw / this.scale) / 2;
    this.originY = (this.height - ch / this.scale) / 2;
    this.changed();
  }

  /** Zoom by `factor` keeping the image point under canvas pixel (cx, cy) in place. */
  zoomBy(factor: number, cx = this.canvas.width / 2, cy = this.canvas.height / 2): void {
    if (!this.width) return;
    const fitScale = Math.min(this.canvas.width / this.width, this.canvas.height / this.height);
    const next = Math.min(64, Math.max(fitScale / 4, this.scale * factor));
    const ix = this.originX + cx / this.scale;
    const iy = this.originY + cy / this.scale;
    this.scale = next;
    this.originX = ix - cx / next;
    this.originY = iy - cy / next;
    this.changed();
  }

  panBy(dx: number, dy: number): void {
    this.originX -= dx / this.scale;
    this.originY -= dy / this.scale;
    this.changed();
  }

  private changed(): void {
    this.draw();
    this.requestDetailSoon();
  }

  private bindInput(): void {
    const c = this.canvas;
    let drag: { x: number; y: number } | undefined;
    const ratio = () => c.width / Math.max(1, c.clientWidth);
    c.addEventListener("pointerdown", (e) => {
      drag = { x: e.clientX, y: e.clientY };
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener("pointermove", (e) => {
      if (!drag) {
        this.onHover?.(this.pixelAt(e.clientX, e.clientY));
        return;
      }
      this.panBy((e.clientX - drag.x) * ratio(), (e.clientY - drag.y) * ratio());
      drag = { x: e.clientX, y: e.clientY };
    });
    c.addEventListener("pointerup", () => (drag = undefined));
    c.addEventListener("pointercancel", () => (drag = undefined));
    c.addEventListener("pointerleave", () => this.onHover?.(undefined));
    c.addEventListener(
      "wheel",
      (e) => {
        e.preventDefault();
        const r = c.getBoundingClientRect();
        this.zoomBy(Math.exp(-e.deltaY / 300), (e.clientX - r.left) * ratio(), (e.clientY - r.top) * ratio());
      },
      { passive: false },
    );
    c.addEventListener("keydown", (e) => {
      const step = 60 * ratio();
      const actions: Record<string, () => void> = {
        ArrowLeft: () => this.panBy(step, 0),
        ArrowRight: () => this.panBy(-step, 0),
        ArrowUp: () => this.panBy(0, step),
        ArrowDown: () => this.panBy(0, -step),
        "+": () => this.zoomBy(1.5),
        "=": () => this.zoomBy(1.5),
        "-": () => this.zoomBy(1 / 1.5),
        "0": () => this.fit(),
      };
      const action = actions[e.key];
      if (action) {
        e.preventDefault();
        action();
      }
    });
  }

  /** The image pixel under a point of the page (client coordinates), if it is on the image. */
  private pixelAt(clientX: number, clientY: number): { x: number; y: number } | undefined {
    if (!this.width) return undefined;
    const r = this.canvas.getBoundingClientRect();
    const ratio = this.canvas.width / Math.max(1, this.canvas.clientWidth);
    const x = Math.floor(this.originX + ((clientX - r.left) * ratio) / this.scale);
    const y = Math.floor(this.originY + ((clientY - r.top) * ratio) / this.scale);
    return x >= 0 && y >= 0 && x < this.width && y < this.height ? { x, y } : undefined;
  }

  /** The visible part of the image, in whole image pixels. */
  private visibleRect(): ViewRect | undefined {
    const x0 = Math.max(0, Math.floor(this.originX));
    const y0 = Math.max(0, Math.floor(this.originY));
    const x1 = Math.min(this.width, Math.ceil(this.originX + this.canvas.width / this.scale));
    const y1 = Math.min(this.height, Math.ceil(this.originY + this.canvas.height / this.scale));
    return x1 > x0 && y1 > y0 ? { x: x0, y: y0, width: x1 - x0, height: y1 - y0 } : undefined;
  }

  private async requestDetail(): Promise<void> {
    if (!this.detailFn || !this.baseImage) return;
    const overviewScale = this.baseImage.width / this.width;
    if (this.scale <= overviewScale * 1.25) {
      if (this.detail) {
        this.detail = undefined;
        this.draw();
      }
      return;
    }
    const rect = this.visibleRect();
    if (!rect) return;
    const seq = ++this.detailSeq;
    const w = Math.max(1, Math.min(rect.width, Math.ceil(rect.width * this.scale)));
    const hh = Math.max(1, Math.min(rect.height, Math.ceil(rect.height * this.scale)));
    try {
      const pictures = await this.detailFn(rect, w, hh);
      if (seq !== this.detailSeq) return;
      this.detail = { rect, image: toCanvas(pictures.image), ...(pictures.result ? { result: toCanvas(pictures.result) } : {}) };
      this.draw();
    } catch {
      // a failed detail view keeps the overview; the error shows elsewhere when it matters
    }
  }

  private draw(): void {
    const ctx = this.canvas.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = "#1b1d21";
    ctx.fillRect(0, 0, this.canvas.width, this.canvas.height);
    if (!this.baseImage || !this.width) return;
    ctx.setTransform(this.scale, 0, 0, this.scale, -this.originX * this.scale, -this.originY * this.scale);
    ctx.imageSmoothingEnabled = this.scale < this.baseImage.width / this.width;
    ctx.drawImage(this.baseImage, 0, 0, this.width, this.height);
    const d = this.detail;
    ctx.imageSmoothingEnabled = false;
    if (d) ctx.drawImage(d.image, d.rect.x, d.rect.y, d.rect.width, d.rect.height);
    ctx.globalAlpha = this.overlayOpacity;
    if (this.baseResult) ctx.drawImage(this.baseResult, 0, 0, this.width, this.height);
    if (d?.result && this.baseResult) ctx.drawImage(d.result, d.rect.x, d.rect.y, d.rect.width, d.rect.height);
    ctx.globalAlpha = 1;
  }
}
