/**
 * OME-XML reading rules that the tifffile fixtures do not exercise: TiffData blocks with
 * FirstC/FirstZ/FirstT and PlaneCount, IFD defaults, other dimension orders, units, namespace
 * prefixes, SignificantBits, multi-file datasets and malformed XML.
 */
import { describe, expect, it } from "vitest";
import { noSiblings, tiffDataFile } from "../../src/io/tiff/ome-files.js";
import { omePlaneIfds, parseOmeDocument, parseOmeXml, planeOrdinal, type OmeImage } from "../../src/io/tiff/ome-xml-read.js";

/** IFD of each plane of a single-file image (every TiffData in this file). */
function ifds(image: OmeImage, cPlanes: number, ifdCount: number): number[] {
  return omePlaneIfds(
    image,
    cPlanes,
    () => ifdCount,
    "x.ome.tif: OME-XML: Image[0]",
    () => null,
  ).map((p) => p.ifd);
}
import { toMetres } from "../../src/io/physical-units.js";
import { xmlEscape } from "../../src/io/tiff/ome-xml-write.js";

const ome = (pixelsAttrs: string, inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><ome:OME xmlns:ome="http://www.openmicroscopy.org/Schemas/OME/2016-06">` +
  `<ome:Image ID="Image:0" Name="a &amp; b"><ome:Pixels ID="Pixels:0" Type="uint16" ${pixelsAttrs}>${inner}</ome:Pixels></ome:Image></ome:OME>`;

describe("parseOmeXml", () => {
  it("reads sizes, order, units (nm, default µm, Å), names, significant bits; strips namespace prefixes", () => {
    const [img] = parseOmeXml(
      ome(
        `DimensionOrder="XYTZC" SizeX="10" SizeY="8" SizeC="2" SizeZ="3" SizeT="4" SignificantBits="12" PhysicalSizeX="65" PhysicalSizeXUnit="nm" PhysicalSizeY="0.065" PhysicalSizeZ="5" PhysicalSizeZUnit="Å"`,
        `<ome:Channel ID="Channel:0:0" Name="DAPI &#181;"/><ome:Channel ID="Channel:0:1"/>`,
      ),
      "x.ome.tif",
    );
    expect(img).toMatchObject({
      name: "a & b",
      sizeX: 10,
      sizeY: 8,
      sizeC: 2,
      sizeZ: 3,
      sizeT: 4,
      dimensionOrder: "XYTZC",
      significantBits: 12,
      physicalSize: { x: 65e-9, y: 0.065e-6, z: 5e-10 },
      channels: [{ name: "DAPI µ" }, {}],
    });
  });

  it("maps TiffData blocks to IFDs in DimensionOrder", () => {
    // XYCZT, C=2, Z=3, T=1: planes (c,z) in order (0,0) (1,0) (0,1) (1,1) (0,2) (1,2).
    const [img] = parseOmeXml(
      ome(
        `DimensionOrder="XYCZT" SizeX="4" SizeY="4" SizeC="2" SizeZ="3" SizeT="1"`,
        `<TiffData IFD="10" PlaneCount="2"/><TiffData FirstZ="1" IFD="20" PlaneCount="3"/><TiffData FirstC="1" FirstZ="2" IFD="30"/>`,
      ),
      "x.ome.tif",
    );
    expect(ifds(img!, 2, 40)).toEqual([10, 11, 20, 21, 22, 30]);
    expect(planeOrdinal("XYCZT", { c: 2, z: 3, t: 1 }, { c: 1, z: 2, t: 0 })).toBe(5);
    expect(planeOrdinal("XYZCT", { c: 2, z: 3, t: 1 }, { c: 1, z: 2, t: 0 })).toBe(5);
    expect(planeOrdinal("XYZCT", { c: 2, z: 3, t: 1 }, { c: 1, z: 0, t: 0 })).toBe(3);
    expect(planeOrdinal("XYTCZ", { c: 2, z: 3, t: 2 }, { c: 1, z: 1, t: 1 })).toBe(1 + 2 * 1 + 4 * 1);
  });

  it("without TiffData, IFD i is plane i; a TiffData without IFD covers all IFDs", () => {
    const [a] = parseOmeXml(ome(`DimensionOrder="XYZCT" SizeX="4" SizeY="4" SizeC="1" SizeZ="3" SizeT="1"`, ""), "x.ome.tif");
    expect(ifds(a!, 1, 3)).toEqual([0, 1, 2]);
    const [b] = parseOmeXml(ome(`DimensionOrder="XYZCT" SizeX="4" SizeY="4" SizeC="1" SizeZ="3" SizeT="1"`, "<TiffData/>"), "x.ome.tif");
    expect(ifds(b!, 1, 3)).toEqual([0, 1, 2]);
  });

  it("errors: missing planes, IFD past the end, planes in another file, malformed XML, bad order", () => {
    const [gap] = parseOmeXml(
      ome(`DimensionOrder="XYZCT" SizeX="4" SizeY="4" SizeC="1" SizeZ="3" SizeT="1"`, `<TiffData IFD="0" PlaneCount="2"/>`),
      "x.ome.tif",
    );
    expect(() => ifds(gap!, 1, 9)).toThrow("x.ome.tif: OME-XML: Image[0]: OME-XML maps no IFD to plane 2 of 3");
    const [past] = parseOmeXml(
      ome(`DimensionOrder="XYZCT" SizeX="4" SizeY="4" SizeC="1" SizeZ="1" SizeT="1"`, `<TiffData IFD="5"/>`),
      "x.ome.tif",
    );
    expect(() => ifds(past!, 1, 2)).toThrow("x.ome.tif: OME-XML: Image[0]: OME-XML refers to IFD 5 but the file has only 2");
    expect(() => parseOmeXml("<OME><Image><Pixels></Image></OME>", "x.ome.tif")).toThrow(
      /^x\.ome\.tif: OME-XML: OME-XML is malformed: .+ \(line 1, column \d+\)$/,
    );
    expect(() => parseOmeXml(ome(`DimensionOrder="XYQZC" SizeX="4" SizeY="4" SizeC="1" SizeZ="1" SizeT="1"`, ""), "x.ome.tif")).toThrow(
      'x.ome.tif: OME-XML: Image[0]: DimensionOrder="XYQZC" is not allowed (allowed: XYZCT, XYZTC, XYCZT, XYCTZ, XYTZC, XYTCZ)',
    );
  });
});

describe("multi-file OME-TIFF: which file holds a TiffData", () => {
  const xml = (uuid: string, tiffData: string) =>
    `<OME UUID="${uuid}"><Image><Pixels DimensionOrder="XYZCT" Type="uint8" SizeX="4" SizeY="4" SizeC="1" SizeZ="2" SizeT="1">${tiffData}</Pixels></Image></OME>`;

  it("reads the root UUID and each TiffData's UUID and FileName", () => {
    const doc = parseOmeDocument(
      xml(
        "urn:uuid:a",
        `<TiffData IFD="0"><UUID FileName="a.ome.tif">urn:uuid:a</UUID></TiffData><TiffData FirstZ="1"><UUID>urn:uuid:b</UUID></TiffData>`,
      ),
      "x.ome.tif",
    );
    expect(doc.uuid).toBe("urn:uuid:a");
    expect(doc.images[0]!.tiffData.map((td) => [td.fileName, td.uuid])).toEqual([
      ["a.ome.tif", "urn:uuid:a"],
      [undefined, "urn:uuid:b"],
    ]);
    const binary = parseOmeDocument(
      `<OME UUID="urn:uuid:t"><BinaryOnly MetadataFile="s.companion.ome" UUID="urn:uuid:m"/></OME>`,
      "t.ome.tif",
    );
    expect(binary).toEqual({ uuid: "urn:uuid:t", binaryOnly: { metadataFile: "s.companion.ome", uuid: "urn:uuid:m" }, images: [] });
  });

  it("decides by UUID first (a renamed file), then by FileName; other names are siblings", () => {
    const self = { name: "renamed.ome.tif", uuid: "urn:uuid:a" };
    expect(
      tiffDataFile(
        { ifd: 0, ifdGiven: true, firstC: 0, firstZ: 0, firstT: 0, uuid: "urn:uuid:a", fileName: "original.ome.tif" },
        self,
        "w",
      ),
    ).toBe(null);
    expect(
      tiffDataFile({ ifd: 0, ifdGiven: true, firstC: 0, firstZ: 0, firstT: 0, uuid: "urn:uuid:z", fileName: "renamed.ome.tif" }, self, "w"),
    ).toBe(null);
    expect(tiffDataFile({ ifd: 0, ifdGiven: false, firstC: 0, firstZ: 0, firstT: 0 }, self, "w")).toBe(null);
    expect(
      tiffDataFile({ ifd: 0, ifdGiven: true, firstC: 0, firstZ: 0, firstT: 0, uuid: "urn:uuid:b", fileName: "b.ome.tif" }, self, "w"),
    ).toBe("b.ome.tif");
  });

  it("refuses a FileName with a folder or .., a UUID without FileName, and a set from a single Blob", () => {
    const self = { name: "a.ome.tif", uuid: "urn:uuid:a" };
    const td = (fileName: string) => ({ ifd: 0, ifdGiven: true, firstC: 0, firstZ: 0, firstT: 0, uuid: "urn:uuid:b", fileName });
    for (const bad of ["../b.ome.tif", "sub/b.ome.tif", "sub\\b.ome.tif", "..", "C:b.tif"]) {
      expect(() => tiffDataFile(td(bad), self, "a.ome.tif: OME-XML")).toThrow(
        `a.ome.tif: OME-XML: OME-XML names the file "${bad}", which is not a plain file name (allowed: a file name in the same folder (no folders, no ..))`,
      );
    }
    expect(() => tiffDataFile({ ifd: 0, ifdGiven: true, firstC: 0, firstZ: 0, firstT: 0, uuid: "urn:uuid:b" }, self, "w")).toThrow(
      "w: OME-XML stores planes in the file with UUID urn:uuid:b but gives no FileName to find it by",
    );
    expect(noSiblings("b.ome.tif", "urn:uuid:b", "a.ome.tif").message).toBe(
      'a.ome.tif: multi-file OME-TIFF: data is stored in "b.ome.tif" (UUID urn:uuid:b), which cannot be reached from a single file (allowed: a file set opened by path (Node: czmodel or openImageFile))',
    );
  });
});

describe("units and escaping", () => {
  it("converts length units to metres", () => {
    expect(toMetres(0.25, "µm")).toBe(2.5e-7);
    expect(toMetres(0.25, "micrometer")).toBe(2.5e-7);
    expect(toMetres(1, "micron")).toBe(1e-6);
    expect(toMetres(130, "nm")).toBe(1.3e-7);
    expect(toMetres(1, "pixel")).toBeUndefined();
    expect(toMetres(0, "µm")).toBeUndefined();
  });

  it("escapes XML and makes it ASCII", () => {
    expect(xmlEscape(`a&b<c>"d" µ 核`)).toBe("a&amp;b&lt;c&gt;&quot;d&quot; &#181; &#26680;");
  });
});
