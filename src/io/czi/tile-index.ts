/**
 * Spatial index of the subblocks of one plane at one pyramid level: which subblocks touch a
 * rectangle, in drawing order. Small planes are scanned linearly; planes with many tiles
 * (slide scans: thousands of subblocks per plane) get a uniform bucket grid so a region read
 * only looks at the tiles near it.
 */
import type { SubblockEntry } from "./directory.js";

export interface RawRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

const LINEAR_LIMIT = 64;

function intersects(a: RawRect, b: RawRect): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/**
 * Sort key of libCZI's default composition (`sortByM`): subblocks without M first, then
 * ascending M, then directory order; later ones are drawn over earlier ones.
 */
function drawOrder(a: SubblockEntry, b: SubblockEntry): number {
  const am = a.m ?? -Infinity;
  const bm = b.m ?? -Infinity;
  if (am !== bm) return am < bm ? -1 : 1;
  return a.index - b.index;
}

export class TileIndex {
  /** Entries in drawing order. */
  readonly tiles: readonly SubblockEntry[];
  private grid: Map<string, number[]> | undefined;
  /** Tiles much larger than a cell: checked on every query instead of being gridded. */
  private bigTiles: number[] = [];
  private cell = 0;

  constructor(entries: SubblockEntry[]) {
    this.tiles = [...entries].sort(drawOrder);
  }

  /** Subblocks whose logical rectangle (raw coordinates) intersects `rect`, in drawing order. */
  query(rect: RawRect): SubblockEntry[] {
    if (this.tiles.length <= LINEAR_LIMIT) return this.tiles.filter((t) => intersects(t, rect));
    const grid = this.buildGrid();
    const c = this.cell;
    const x0 = Math.floor(rect.x / c);
    const y0 = Math.floor(rect.y / c);
    const x1 = Math.floor((rect.x + rect.width - 1) / c);
    const y1 = Math.floor((rect.y + rect.height - 1) / c);
    if ((x1 - x0 + 1) * (y1 - y0 + 1) > grid.size) return this.tiles.filter((t) => intersects(t, rect));
    const found = new Set<number>();
    for (const i of this.bigTiles) if (intersects(this.tiles[i]!, rect)) found.add(i);
    for (let gy = y0; gy <= y1; gy++) {
      for (let gx = x0; gx <= x1; gx++) {
        for (const i of grid.get(`${gx},${gy}`) ?? []) if (intersects(this.tiles[i]!, rect)) found.add(i);
      }
    }
    return [...found].sort((a, b) => a - b).map((i) => this.tiles[i]!);
  }

  private buildGrid(): Map<string, number[]> {
    if (this.grid) return this.grid;
    // Cell = twice the median tile extent: a typical tile lands in at most four cells.
    const extents = this.tiles.map((t) => Math.max(t.width, t.height)).sort((a, b) => a - b);
    this.cell = Math.max(16, 2 * extents[extents.length >> 1]!);
    const c = this.cell;
    const grid = new Map<string, number[]>();
    this.tiles.forEach((t, i) => {
      const x0 = Math.floor(t.x / c);
      const y0 = Math.floor(t.y / c);
      const x1 = Math.floor((t.x + t.width - 1) / c);
      const y1 = Math.floor((t.y + t.height - 1) / c);
      if ((x1 - x0 + 1) * (y1 - y0 + 1) > 64) {
        this.bigTiles.push(i);
        return;
      }
      for (let gy = y0; gy <= y1; gy++) {
        for (let gx = x0; gx <= x1; gx++) {
          const key = `${gx},${gy}`;
          const cellList = grid.get(key);
          if (cellList) cellList.push(i);
          else grid.set(key, [i]);
        }
      }
    });
    this.grid = grid;
    return grid;
  }
}
