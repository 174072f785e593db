/**
 * Issue 14: a companion `.ome` metadata file of a multi-file OME-TIFF is text we parse whole and
 * names files we open. One that is larger than the limit (a sparse file, made at test time), or
 * whose TiffData FileName leaves the folder (`../`, a sub-folder) or names no file, is one line
 * naming the problem, exit 2 — nothing outside the folder is opened.
 */
import { open, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, it } from "vitest";
import { czmodel, expectOneLineError, scratchDir } from "../cli/helpers.js";

let work: string;
beforeAll(async () => {
  work = await scratchDir("hostile-ome-companion-");
});

const companion = (fileName: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><OME UUID="urn:uuid:m"><Image ID="Image:0"><Pixels DimensionOrder="XYZCT" Type="uint8" SizeX="4" SizeY="4" SizeC="1" SizeZ="1" SizeT="1"><TiffData IFD="0" PlaneCount="1"><UUID FileName="${fileName}">urn:uuid:t</UUID></TiffData></Pixels></Image></OME>`;

describe("hostile companion .ome files", () => {
  it("a companion over 256 MiB is refused before it is read", async () => {
    const path = join(work, "huge.companion.ome");
    await writeFile(path, "<?xml version='1.0'?><OME>");
    const file = await open(path, "r+");
    await file.truncate(256 * 1024 * 1024 + 1);
    await file.close();
    expectOneLineError(await czmodel("image-info", path), [
      `${path}: OME-XML metadata file of 268435457 bytes is too large (allowed: at most 268435456 bytes)`,
    ]);
  });

  it("an XML file that is not OME-XML is one line, not a crash", async () => {
    const path = join(work, "other.xml");
    await writeFile(path, '<?xml version="1.0"?><svg><g/></svg>');
    expectOneLineError(await czmodel("image-info", path), [`${path}: OME-XML: the XML has no <OME> root element`]);
  });

  it("a FileName outside the folder is refused; a FileName that is not there is named", async () => {
    for (const name of ["../outside.ome.tif", "sub/inside.ome.tif", "..\\\\x.ome.tif", ".."]) {
      const path = join(work, "bad.companion.ome");
      await writeFile(path, companion(name));
      expectOneLineError(await czmodel("image-info", path), [`OME-XML names the file "${name}", which is not a plain file name`]);
    }
    const path = join(work, "gone.companion.ome");
    await writeFile(path, companion("gone.ome.tif"));
    expectOneLineError(await czmodel("image-info", path), [
      `${path}: file "gone.ome.tif" (UUID urn:uuid:t) of this multi-file OME-TIFF is missing from its folder`,
    ]);
  });
});
