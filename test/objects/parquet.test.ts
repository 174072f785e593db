/**
 * The Parquet objects table over several row groups: the nuclei label objects (448, with intensity and
 * area_um2) written by `ParquetTable` with 100 rows per row group, read back with hyparquet (a
 * reader separate from hyparquet-writer): five row groups (4 × 100 and 48 rows), the CSV's
 * column names, and the CSV's values in every row, also when a read spans row groups.
 */
import { parquetMetadata, parquetReadObjects } from "hyparquet";
import { describe, expect, it } from "vitest";
import { objectsFromImage } from "../../src/objects/from-image.js";
import { ParquetTable } from "../../src/objects/parquet.js";
import { csvHeader, csvRow, type TableLayout } from "../../src/objects/table.js";
import type { MeasuredObject } from "../../src/objects/types.js";
import { pngSource } from "../engine/helpers.js";
import { testdata } from "../helpers/paths.js";

function parseCsv(text: string): Record<string, number>[] {
  const [head, ...rows] = text.trim().split("\n");
  const cols = head!.split(",");
  return rows.map((r) => Object.fromEntries(r.split(",").map((v, i) => [cols[i]!, Number(v)])));
}

describe("Parquet objects table", () => {
  it("writes several row groups that hyparquet reads back as the CSV's rows", async () => {
    const labels = await pngSource(testdata("images", "nuclei_0000_labels.png"));
    const image = await pngSource(testdata("images", "nuclei_0000.png"));
    const objects: MeasuredObject[] = [];
    await objectsFromImage(labels, image, { pixelSizeUm: { x: 0.5, y: 0.25 } }, (o) => objects.push(o));
    expect(objects.length).toBe(448);
    const layout: TableLayout = { channels: 1, hasAreaUm2: true, hasConfidence: false };
    const csv = csvHeader(layout) + objects.map((o) => csvRow(o, layout)).join("");

    const chunks: [number, Uint8Array][] = [];
    const table = new ParquetTable(layout, async (at, bytes) => void chunks.push([at, bytes]), 100);
    const groupWrites = objects.map((o) => table.add(o, layout)).filter((w) => w !== undefined);
    expect(groupWrites.length).toBe(4);
    await Promise.all(groupWrites);
    await table.finish();
    const size = Math.max(...chunks.map(([at, b]) => at + b.byteLength));
    const file = new Uint8Array(size);
    for (const [at, bytes] of chunks) file.set(bytes, at);
    const buffer = file.buffer;

    const meta = parquetMetadata(buffer);
    expect(meta.row_groups.map((g) => Number(g.num_rows))).toEqual([100, 100, 100, 100, 48]);
    expect(Number(meta.num_rows)).toBe(448);
    expect(
      meta.schema
        .slice(1)
        .map((e) => e.name)
        .join(","),
    ).toBe(csv.split("\n")[0]);
    const asNumbers = (rows: Record<string, unknown>[]) =>
      rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, Number(v)])));
    const want = parseCsv(csv);
    expect(asNumbers(await parquetReadObjects({ file: buffer }))).toEqual(want);
    expect(asNumbers(await parquetReadObjects({ file: buffer, rowStart: 150, rowEnd: 320 }))).toEqual(want.slice(150, 320));
    expect(want.at(-1)!.id).toBe(448);
  });
});
