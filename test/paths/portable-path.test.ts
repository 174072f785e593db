import { describe, expect, it } from "vitest";
import { basenamePath, dirnamePath, isAbsolutePath, normalizePath, resolvePath } from "../../src/paths/portable-path.js";

describe("pure-string paths", () => {
  it.each([
    ["/a/b/c.json", "/a/b"],
    ["c.json", "."],
    ["C:\\x\\y.json", "C:/x"],
    ["C:\\y.json", "C:/"],
    ["/y.json", "/"],
  ])("dirname(%s) = %s", (p, d) => expect(dirnamePath(p)).toBe(d));

  it("basename", () => {
    expect(basenamePath("a\\b\\model.onnx")).toBe("model.onnx");
    expect(basenamePath("a/b/")).toBe("b");
    expect(basenamePath("a/b/", true)).toBe("");
    expect(basenamePath("C:model.onnx")).toBe("model.onnx");
  });

  it("absolute / resolve / normalize", () => {
    expect(isAbsolutePath("\\\\server\\share\\x")).toBe(true);
    expect(isAbsolutePath("D:/x")).toBe(true);
    expect(isAbsolutePath("x/y")).toBe(false);
    expect(resolvePath("/a/b", "../c/./d.onnx")).toBe("/a/c/d.onnx");
    expect(resolvePath("a", "../../x")).toBe("../x");
    expect(resolvePath("/a", "\\\\srv\\share\\m.onnx")).toBe("//srv/share/m.onnx");
    expect(normalizePath("/../x")).toBe("/x");
  });
});
