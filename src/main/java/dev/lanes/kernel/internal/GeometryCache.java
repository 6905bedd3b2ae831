package dev.lanes.kernel.internal;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Immutable tables derived from a convolution's geometry (tap offsets, phase plans), shared by
 * every call with that geometry: a training step asks for the same few dozen each time, so they
 * are built once instead of once per call. Bounded: cleared when it holds {@link #LIMIT}
 * geometries. Values must not be modified by their users.
 *
 * @param <V> the table type
 */
public final class GeometryCache<V> {

    /** Geometries kept before the cache starts over. */
    static final int LIMIT = 256;

    private final Map<ConvGeometry, V> tables = new ConcurrentHashMap<>();
    private final Function<ConvGeometry, V> make;

    /** @param make builds the table of a geometry (called again after the cache is cleared) */
    public GeometryCache(Function<ConvGeometry, V> make) {
        this.make = make;
    }

    /** @return the table of {@code g}, built on first use */
    public V get(ConvGeometry g) {
        V t = tables.get(g);
        if (t == null) {
            if (tables.size() >= LIMIT) {
                tables.clear();
            }
            t = make.apply(g);
            tables.put(g, t);
        }
        return t;
    }
}
