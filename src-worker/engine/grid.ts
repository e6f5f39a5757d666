/**
 * The rank grid. Order (Megatron's): tp varies fastest, then dp, then pp:
 *   rank = ppIndex * (dp * tp) + dpIndex * tp + tpIndex
 * so a TP group is consecutive ranks (same host first), DP groups stride by tp, PP groups by dp * tp.
 */
import type { StrategyGrid } from '../../src-shared/engine-config.js';
import type { Communicator, ProcessGroup } from '../collective/types.js';

/** Where a rank sits in the grid. */
export interface GridCoords {
  dpIndex: number;
  tpIndex: number;
  ppIndex: number;
}

/** Coordinates of a rank. */
export function coordsOf(rank: number, grid: StrategyGrid): GridCoords {
  return { tpIndex: rank % grid.tp, dpIndex: Math.floor(rank / grid.tp) % grid.dp, ppIndex: Math.floor(rank / (grid.tp * grid.dp)) };
}

/** Rank at coordinates. */
export function rankOf(c: GridCoords, grid: StrategyGrid): number {
  return c.ppIndex * grid.dp * grid.tp + c.dpIndex * grid.tp + c.tpIndex;
}

/** Members of every group of one kind, in a canonical order every rank agrees on. */
export function groupLists(grid: StrategyGrid, kind: 'dp' | 'tp' | 'pp'): number[][] {
  const lists: number[][] = [];
  const axes = { dp: grid.dp, tp: grid.tp, pp: grid.pp };
  const others = (['pp', 'dp', 'tp'] as const).filter((a) => a !== kind);
  for (let a = 0; a < axes[others[0]]; a += 1) {
    for (let b = 0; b < axes[others[1]]; b += 1) {
      const members: number[] = [];
      for (let i = 0; i < axes[kind]; i += 1) {
        const c: Record<string, number> = { [others[0]]: a, [others[1]]: b, [kind]: i };
        members.push(rankOf({ dpIndex: c.dp, tpIndex: c.tp, ppIndex: c.pp }, grid));
      }
      lists.push(members);
    }
  }
  return lists;
}

/** This rank's groups (null where that axis has size 1). Every rank makes the same newGroup calls in the same order. */
export interface RankGroups {
  dp: ProcessGroup | null;
  tp: ProcessGroup | null;
  pp: ProcessGroup | null;
}

/** Creates the TP, DP and PP groups on a communicator, labelled `tp`, `dp`, `pp` for per-kind accounting. */
export function buildGroups(comm: Communicator, grid: StrategyGrid): RankGroups {
  const groups: RankGroups = { dp: null, tp: null, pp: null };
  for (const kind of ['tp', 'dp', 'pp'] as const) {
    if (grid[kind] === 1) continue;
    for (const members of groupLists(grid, kind)) {
      const group = comm.newGroup(members, { label: kind });
      if (group) groups[kind] = group;
    }
  }
  return groups;
}
