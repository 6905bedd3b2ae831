package dev.lanes.distributed;

import java.time.Duration;
import java.util.Objects;

/**
 * Settings of a {@link TcpCollective}.
 *
 * @param connectTimeout how long {@link TcpCollective.Binding#join} waits for every rank to connect
 * @param readTimeout    how long an operation waits for a rank to send its part before it fails
 * @param token          a string every rank of the run must present: connections from other runs
 *                       (or anything else) are refused
 */
public record CollectiveOptions(Duration connectTimeout, Duration readTimeout, String token) {

    /**
     * @throws IllegalArgumentException on a timeout that is not positive or above
     *                                  {@code Integer.MAX_VALUE} ms, or an empty token
     */
    public CollectiveOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(readTimeout, "readTimeout");
        Objects.requireNonNull(token, "token");
        for (Duration d : new Duration[] {connectTimeout, readTimeout}) {
            if (d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("CollectiveOptions: timeouts must be positive and at most "
                        + Integer.MAX_VALUE + " ms, got " + d);
            }
        }
        if (token.isEmpty()) {
            throw new IllegalArgumentException("CollectiveOptions: the token must not be empty");
        }
    }

    /** @return 2 minutes to connect, 5 minutes per read, the given run token */
    public static CollectiveOptions of(String token) {
        return new CollectiveOptions(Duration.ofMinutes(2), Duration.ofMinutes(5), token);
    }

    /** @return these options with another connect timeout */
    public CollectiveOptions withConnectTimeout(Duration d) {
        return new CollectiveOptions(d, readTimeout, token);
    }

    /** @return these options with another read timeout */
    public CollectiveOptions withReadTimeout(Duration d) {
        return new CollectiveOptions(connectTimeout, d, token);
    }
}
