/**
 * The page's entry: starts the worker (onnxruntime-web with wasm threads when the page is
 * cross-origin isolated, else one thread with a visible note), and shows the three flows as
 * keyboard-usable tabs (Pack, Inspect & validate, Predict; `#pack` / `#inspect` / `#predict`),
 * and registers the offline service worker.
 */
import { h } from "./dom.js";
import { inspectView } from "./inspect-view.js";
import { packView } from "./pack-view.js";
import { predictView } from "./predict-view.js";
import { WorkerClient } from "./worker-client.js";
import "./style.css";

const worker = new WorkerClient();
const isolated = globalThis.crossOriginIsolated === true;
const threads = isolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
const runtimeNote = document.getElementById("runtime-note")!;
runtimeNote.textContent = isolated
  ? `onnxruntime-web (wasm) with ${threads} thread${threads > 1 ? "s" : ""}.`
  : "Not cross-origin isolated: onnxruntime-web runs on 1 thread. Serve the page with COOP/COEP headers (npm run web does) for wasm threads.";
if (!isolated) runtimeNote.classList.add("warning");
void worker.call("init", { ortBase: new URL("./ort/", document.baseURI).href, threads });

// Offline once loaded: a service worker (built as sw.js) keeps a copy of every file of the page.
// Service workers need a secure context (https or localhost); elsewhere the page just works online.
if ("serviceWorker" in navigator && window.isSecureContext && !import.meta.env.DEV) {
  navigator.serviceWorker.register("./sw.js").catch(() => undefined);
}

const tabs = [
  { id: "pack", label: "Pack", view: packView(worker) },
  { id: "inspect", label: "Inspect & validate", view: inspectView(worker) },
  { id: "predict", label: "Predict", view: predictView(worker) },
];

const tabList = h("div", { role: "tablist", "aria-label": "What to do", class: "tabs" });
const buttons = tabs.map((t, i) =>
  h("button", { type: "button", role: "tab", id: `tab-${t.id}`, "aria-controls": `panel-${t.id}`, onclick: () => select(i) }, t.label),
);
const panels = tabs.map((t) => h("div", { role: "tabpanel", id: `panel-${t.id}`, "aria-labelledby": `tab-${t.id}`, tabindex: 0 }, t.view));
tabList.append(...buttons);
tabList.addEventListener("keydown", (e) => {
  const current = buttons.findIndex((b) => b.getAttribute("aria-selected") === "true");
  const next =
    e.key === "ArrowRight"
      ? current + 1
      : e.key === "ArrowLeft"
        ? current - 1
        : e.key === "Home"
          ? 0
          : e.key === "End"
            ? tabs.length - 1
            : undefined;
  if (next === undefined) return;
  e.preventDefault();
  select((next + tabs.length) % tabs.length);
  buttons[(next + tabs.length) % tabs.length]!.focus();
});

function select(index: number): void {
  buttons.forEach((b, i) => {
    b.setAttribute("aria-selected", String(i === index));
    b.tabIndex = i === index ? 0 : -1;
    panels[i]!.hidden = i !== index;
  });
  history.replaceState(null, "", `#${tabs[index]!.id}`);
}

document.getElementById("app")!.append(tabList, ...panels);
select(
  Math.max(
    0,
    tabs.findIndex((t) => `#${t.id}` === location.hash),
  ),
);
