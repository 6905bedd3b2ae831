package dev.lanes.autograd;

import dev.lanes.kernel.internal.GemvPanels;

/**
 * A recurrent layer's gate columns regrouped for plans by blocks of hidden units: block {@code j}
 * fills one tile of {@link GemvPanels#TILE} columns from {@code j * TILE} with its units' columns
 * of every gate side by side (gate by gate, each {@link #width} wide), zero columns after them.
 * One tile of a matrix-vector product then gives every gate of its units, and the cell can run
 * on the same tile: a step is one split. A column's product and a unit's cell are the same
 * arithmetic wherever they sit, so the regrouping changes no result.
 */
final class GateBlocks {

    private final int gates;
    private final int hidden;
    private final int units;
    private final int blocks;

    /**
     * @param gates  gates per unit (4 for an LSTM, 3 for a GRU), in the layer's order
     * @param hidden hidden units, at least 1
     */
    GateBlocks(int gates, int hidden) {
        this.gates = gates;
        this.hidden = hidden;
        this.units = GemvPanels.TILE / gates;
        this.blocks = Math.ceilDiv(hidden, units);
    }

    /** @return the blocks, one tile each */
    int blocks() {
        return blocks;
    }

    /** @return the columns of a regrouped row: a tile per block */
    int columns() {
        return blocks * GemvPanels.TILE;
    }

    /** @return the first unit of block {@code j} */
    int first(int j) {
        return j * units;
    }

    /** @return the units of block {@code j} */
    int width(int j) {
        return Math.min(units, hidden - j * units);
    }

    /** @return the column where block {@code j} starts */
    int column(int j) {
        return j * GemvPanels.TILE;
    }

    /**
     * @param w    rows {@code [gates * hidden]} of {@code cols} floats each (a weight; a bias with {@code cols = 1})
     * @return the rows regrouped: {@link #columns()} rows, zero where a block has no column
     */
    float[] regroup(float[] w, int cols) {
        float[] r = new float[columns() * cols];
        for (int j = 0; j < blocks; j++) {
            int width = width(j);
            for (int q = 0; q < gates; q++) {
                for (int u = 0; u < width; u++) {
                    System.arraycopy(w, (q * hidden + first(j) + u) * cols, r, (column(j) + q * width + u) * cols,
                            cols);
                }
            }
        }
        return r;
    }
}
