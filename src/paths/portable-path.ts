/**
 * Portable path helpers for isomorphic code (no `node:path`), used to resolve the paths inside conversion specs: spec files may
 * come from Windows (`models\\unet.onnx`, `C:\\data\\x.onnx`) and be read on Linux, so `\`
 * is treated as a separator everywhere and results use `/`. Drive-letter (`C:/…`), UNC
 * (`//server/…`) and POSIX absolute paths are kept absolute.
 */
import { invalidArgument } from "../errors.js";

/** `\` → `/`. */
function toSlashes(p: string): string {
  return p.replace(/\\/g, "/");
}

/** True for `/x`, `\x`, `C:\x`, `C:/x`, `\\server\share`. */
export function isAbsolutePath(p: string): boolean {
  const s = toSlashes(p);
  return s.startsWith("/") || /^[A-Za-z]:\//.test(s);
}

/** Remove `.` segments and resolve `..` where possible; keeps the root (`/`, `//`, `C:/`). */
export function normalizePath(p: string): string {
  const s = toSlashes(p);
  const root = /^[A-Za-z]:\//.exec(s)?.[0] ?? (s.startsWith("//") ? "//" : s.startsWith("/") ? "/" : "");
  const parts = s.slice(root.length).split("/");
  const out: string[] = [];
  for (const part of parts) {
    if (part === "" || part === ".") continue;
    if (part === "..") {
      if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
      else if (root === "") out.push("..");
      continue;
    }
    out.push(part);
  }
  const body = out.join("/");
  if (root === "" && body === "") return ".";
  return root + body;
}

/** Folder part of a path (`a/b/c.json` → `a/b`, `c.json` → `.`). */
export function dirnamePath(p: string): string {
  const s = toSlashes(p).replace(/\/+$/, "");
  const i = s.lastIndexOf("/");
  if (i < 0) return /^[A-Za-z]:$/.test(s) ? `${s}/` : ".";
  if (i === 0) return "/";
  const dir = s.slice(0, i);
  return /^[A-Za-z]:$/.test(dir) ? `${dir}/` : dir;
}

/** Last segment (`a\\b\\model.onnx` → `model.onnx`). With `keepTrailing`, `a/b/` gives `""` like Python's `os.path.basename`. */
export function basenamePath(p: string, keepTrailing = false): string {
  let s = toSlashes(p);
  if (!keepTrailing) s = s.replace(/\/+$/, "");
  const i = s.lastIndexOf("/");
  return i < 0 ? s.replace(/^[A-Za-z]:/, "") : s.slice(i + 1);
}

/** `p` resolved against `baseDir` unless it is absolute; normalised, with `/`. */
export function resolvePath(baseDir: string, p: string): string {
  if (isAbsolutePath(p)) return normalizePath(p);
  return normalizePath(`${toSlashes(baseDir)}/${toSlashes(p)}`);
}

/**
 * `name` when it is a plain file name: not empty, not `.` or `..`, without `/`, `\` or control
 * characters. A name given for an output file must never reach outside the folder it goes into.
 */
export function requireFileName(name: string, where: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  if (name === "" || name === "." || name === ".." || /[/\\\x00-\x1f\x7f]/.test(name)) {
    throw invalidArgument(`${JSON.stringify(name)} is not a file name`, { where, allowed: "a name without /, \\ or control characters" });
  }
  return name;
}
