package dev.lanes.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Line charts written as PNG files, for loss curves. Drawn with XChart, an optional dependency:
 * Lanes itself never needs it, so call {@link #available()} first and skip the plot when it is
 * absent. Rendering runs headless (no display needed).
 *
 * <p>This class never names an XChart type: the drawing lives in a separate class that is loaded
 * only once {@link #available()} said yes, so checking for XChart cannot itself fail to link.
 */
public final class Charts {

    private static final String PROBE = "org.knowm.xchart.XYChart";

    private Charts() {
    }

    /** The one-line advice printed when curves are asked for and XChart is absent. */
    public static final String HOW_TO_GET_CHARTS = "no PNG curves: XChart is not on the class path;"
            + " add org.knowm.xchart:xchart:3.8.8 to draw them (metrics.csv is written either way)";

    /** @return whether XChart (and the AWT it draws with) can be loaded */
    public static boolean available() {
        try {
            Class.forName(PROBE, false, Charts.class.getClassLoader());
            Class.forName("java.awt.image.BufferedImage", false, Charts.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * Draws the series as lines (no markers) on one chart, 800 x 500 pixels, and writes it as
     * PNG, creating the parent directories.
     *
     * @param file   the PNG to write (replaced if present)
     * @param title  the chart title
     * @param xLabel the x axis title
     * @param yLabel the y axis title
     * @param series one or more series, each with at least one point and distinct names
     * @param logY   whether the y axis is logarithmic (then every y must be positive)
     * @throws IllegalStateException if XChart is not on the class or module path
     * @throws IOException           if the file cannot be written
     */
    public static void linePng(Path file, String title, String xLabel, String yLabel, List<Series> series,
                               boolean logY) throws IOException {
        check(file, series, logY);
        if (!available()) {
            throw new IllegalStateException("Charts.linePng: XChart (org.knowm.xchart:xchart) is not on the class"
                    + " path, so no PNG can be drawn");
        }
        XChartPlot.linePng(file, title, xLabel, yLabel, series, logY);
    }

    private static void check(Path file, List<Series> series, boolean logY) {
        if (file == null || series == null) {
            throw new NullPointerException("Charts.linePng: file and series must not be null");
        }
        if (!file.getFileName().toString().endsWith(".png")) {
            throw new IllegalArgumentException("Charts.linePng: the file name must end with .png, got " + file);
        }
        if (series.isEmpty()) {
            throw new IllegalArgumentException("Charts.linePng: give at least one series");
        }
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            if (s.size() == 0) {
                throw new IllegalArgumentException("Charts.linePng: series '" + s.name() + "' has no points");
            }
            for (int j = 0; j < i; j++) {
                if (series.get(j).name().equals(s.name())) {
                    throw new IllegalArgumentException("Charts.linePng: two series are named '" + s.name() + "'");
                }
            }
            double[] y = s.y();
            for (int k = 0; k < y.length; k++) {
                if (!Double.isFinite(y[k]) || (logY && y[k] <= 0)) {
                    throw new IllegalArgumentException("Charts.linePng: series '" + s.name() + "' has y = " + y[k]
                            + " at point " + k + (logY ? " (a logarithmic axis needs finite positive values)"
                            : " (values must be finite)"));
                }
            }
        }
    }
}
