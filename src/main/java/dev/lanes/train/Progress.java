package dev.lanes.train;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of one epoch on a terminal: a line redrawn in place (percentage, bar, items per
 * second, time left, running loss and accuracy), at most ten times a second; or, when the output
 * is not a terminal, a plain log line at every tenth of the epoch.
 */
final class Progress {

    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR = 24;

    private final PrintStream out;
    private final boolean live;
    /** Width of the progress line on screen, in characters (live mode). */
    private int drawn;
    private final String label;
    private final int batches;
    private final long start = System.nanoTime();
    private long lastDraw;
    private int lastTenth;
    private long items;

    /**
     * @param out     where to print
     * @param live    redraw one line (a terminal) rather than print log lines
     * @param label   the prefix, e.g. "epoch 3/10"
     * @param batches batches in the epoch
     * @param first   the first batch index (after a resume)
     */
    Progress(PrintStream out, boolean live, String label, int batches, int first) {
        this.out = out;
        this.live = live;
        this.label = label;
        this.batches = batches;
        this.lastTenth = first * 10 / Math.max(1, batches);
    }

    /** After batch {@code done} (1-based) of {@code batchItems} items. */
    void update(int done, int batchItems, double loss, double accuracy) {
        items += batchItems;
        long now = System.nanoTime();
        int tenth = done * 10 / Math.max(1, batches);
        if (live) {
            if (now - lastDraw >= REDRAW_NANOS || done == batches) {
                lastDraw = now;
                String text = line(done, now, loss, accuracy);
                out.print("\r" + text + " ".repeat(Math.max(0, drawn - text.length())));
                drawn = text.length();
                out.flush();
            }
        } else if (tenth > lastTenth) {
            lastTenth = tenth;
            out.println(line(done, now, loss, accuracy));
        }
    }

    /** Ends the epoch's line with its summary. */
    void finish(String summary) {
        String text = label + "  " + summary;
        if (live) {
            // Blank out what is left of a longer progress line before the summary replaces it.
            out.print("\r" + " ".repeat(drawn) + "\r");
            drawn = 0;
        }
        out.println(text);
    }

    private String line(int done, long now, double loss, double accuracy) {
        double seconds = (now - start) / 1e9;
        double rate = seconds > 0 ? items / seconds : 0;
        double perBatch = done > 0 ? seconds / done : 0;
        long eta = Math.round(perBatch * (batches - done));
        int filled = (int) ((long) BAR * done / Math.max(1, batches));
        String bar = "=".repeat(filled) + (filled < BAR ? ">" + " ".repeat(BAR - filled - 1) : "");
        return String.format(Locale.ROOT, "%s [%s] %3d%% %7.0f items/s  ETA %d:%02d  loss %.4f  acc %.2f%%", label,
                bar, 100L * done / Math.max(1, batches), rate, eta / 60, eta % 60, loss, 100 * accuracy);
    }
}
