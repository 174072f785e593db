/**
 * Reads the IFD chain of one TIFF file (`TiffPages`: its pages, byte order, BigTIFF or not)
 * with geotiff 3 in its eager mode (tag arrays loaded through the parser's own byte order —
 * geotiff's lazy arrays assume little-endian). Shared by the file being opened and the sibling
 * files of a multi-file OME-TIFF. Isomorphic.
 */
import { GeoTIFF } from "geotiff";
import { invalidImage, isCzmodelError, unsupported } from "../../errors.js";
import type { ByteSource } from "../../bytes/byte-source.js";
import { ByteSourceAdapter } from "./geotiff-adapter.js";
import { readIfdInfo, type IfdInfo } from "./ifd.js";

export interface TiffPages {
  source: ByteSource;
  ifds: IfdInfo[];
  littleEndian: boolean;
  bigTiff: boolean;
}

/** Parse every IFD of `source` (at most `maxPages`, default 1 000 000); loops and truncation are errors. */
export async function readTiffPages(source: ByteSource, maxPages = 1_000_000): Promise<TiffPages> {
  const name = source.name;
  const ifds: IfdInfo[] = [];
  const adapter = new ByteSourceAdapter(source);
  try {
    const tiff = await GeoTIFF.fromSource(adapter as never);
    (tiff.parser as unknown as { eager: boolean }).eager = true;
    const seen = new Set<number>();
    for (let i = 0; ; i++) {
      if (i >= maxPages) throw unsupported(`unsupported TIFF with more than ${maxPages} pages`, { where: name });
      const fd = await tiff.requestIFD(i);
      ifds.push(readIfdInfo(i, fd, name));
      const next = Number(fd.nextIFDByteOffset);
      if (next === 0) break;
      if (seen.has(next)) throw invalidImage(`IFD chain loops back to offset ${next}`, { where: name });
      seen.add(next);
    }
    return { source, ifds, littleEndian: tiff.littleEndian, bigTiff: tiff.bigTiff };
  } catch (e) {
    if (isCzmodelError(e)) throw e;
    if (e instanceof RangeError && adapter.clipped) {
      throw invalidImage(`file is truncated: the TIFF directory runs past the end of the file (${source.size} bytes)`, {
        where: name,
        cause: e,
      });
    }
    const why = e instanceof Error ? e.message : String(e);
    throw invalidImage(`not a readable TIFF (${why}); the file may be truncated or corrupt`, { where: name, cause: e });
  }
}
