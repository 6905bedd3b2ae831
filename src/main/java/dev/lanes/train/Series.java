package dev.lanes.train;

/**
 * One named line of a chart or column pair of a table: points {@code (x[i], y[i])}.
 *
 * @param name the legend entry, non-empty
 * @param x    the abscissas (e.g. training steps)
 * @param y    the ordinates (e.g. the loss), as many as {@code x}
 */
public record Series(String name, double[] x, double[] y) {

    /** Checks the name and that the coordinates pair up; the arrays are copied. */
    public Series {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("Series: the name must be non-empty");
        }
        if (x == null || y == null) {
            throw new NullPointerException("Series '" + name + "': coordinates are null");
        }
        if (x.length != y.length) {
            throw new IllegalArgumentException("Series '" + name + "': " + x.length + " x values but " + y.length
                    + " y values");
        }
        x = x.clone();
        y = y.clone();
    }

    /** @return a copy of the abscissas */
    @Override
    public double[] x() {
        return x.clone();
    }

    /** @return a copy of the ordinates */
    @Override
    public double[] y() {
        return y.clone();
    }

    /** @return the number of points */
    public int size() {
        return x.length;
    }
}
