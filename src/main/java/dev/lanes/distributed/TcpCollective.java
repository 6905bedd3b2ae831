package dev.lanes.distributed;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@link Collective} over TCP, on a ring: each rank keeps one connection to the next rank
 * (it only writes there) and one from the previous (it only reads there). Start it in two
 * steps, because the ranks must learn each other's addresses in between (through a cluster
 * manager's rendezvous, or a fixed host list):
 *
 * <pre>{@code
 * try (TcpCollective.Binding binding = TcpCollective.bind(new InetSocketAddress(host, 0))) {
 *     InetSocketAddress mine = binding.address();            // tell the other ranks
 *     List<InetSocketAddress> all = ...;                      // every rank's address, by rank
 *     try (Collective c = binding.join(rank, all, CollectiveOptions.of(runId))) {
 *         ...
 *     }
 * }
 * }</pre>
 *
 * <p>{@link #sumShards} runs in two passes over the vector, cut into chunks that follow each
 * other down the ring so the ranks work at once. The reduce pass starts every chunk at rank 0:
 * each rank adds its own shards to the running sum it receives, in shard order, and passes it
 * on, so the last rank ends with the shard-ordered sum ({@link ShardLayout}), for any number of
 * ranks. The gather pass sends the result on round the ring from the last rank. Each rank sends
 * and receives the vector about twice per sum, whatever the number of ranks.
 *
 * <p>Failures: connecting waits up to the connect timeout for the neighbours; an operation
 * fails when a neighbour sends nothing, or takes nothing, for the read timeout, closes its
 * connection, sends another operation, or presents another run's token. The operation then
 * throws a {@link CollectiveException} naming the rank and closes this collective, which closes
 * the ring for the other ranks in turn. Confined to one thread at a time.
 */
public final class TcpCollective implements Collective {

    private static final String MAGIC = "lanes-collective";
    private static final int VERSION = 1;
    private static final int SUM = 1;
    private static final int GATHER = 2;
    private static final int BROADCAST = 3;
    private static final int BARRIER = 4;
    private static final int FOLD = 5;
    private static final int FOLDED = 6;
    /** Floats per chunk of the passes: small enough to keep every rank busy, large enough to stream. */
    private static final int CHUNK = 1 << 16;

    private final int rank;
    private final int size;
    private final Link next;
    private final Link prev;
    private final CollectiveOptions options;
    private volatile boolean closed;
    private volatile long progress;
    private volatile String stalled;

    private TcpCollective(int rank, int size, Link next, Link prev, CollectiveOptions options) {
        this.rank = rank;
        this.size = size;
        this.next = next;
        this.prev = prev;
        this.options = options;
    }

    /**
     * Opens this rank's listening socket.
     *
     * @param address where to listen; port 0 picks a free port ({@link Binding#address()} tells which)
     * @throws CollectiveException when the address cannot be bound
     */
    public static Binding bind(InetSocketAddress address) {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(address);
            return new Binding(server);
        } catch (IOException e) {
            throw new CollectiveException("cannot listen on " + address + ": " + e.getMessage(), e);
        }
    }

    /** A rank's listening socket, before the ranks have connected. */
    public static final class Binding implements AutoCloseable {

        private final ServerSocket server;

        private Binding(ServerSocket server) {
            this.server = server;
        }

        /** @return the address the other ranks connect to (the bound port, never 0) */
        public InetSocketAddress address() {
            return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
        }

        /**
         * Connects this rank into the ring: to the next rank, and from the previous one, checking
         * that each presents the same token, rank count and protocol.
         *
         * @param rank      this rank, {@code 0 <= rank < addresses.size()}
         * @param addresses every rank's {@link #address()}, in rank order
         * @param options   timeouts and the run's token
         * @return the collective, once both neighbours are connected
         * @throws IllegalArgumentException on a rank out of range
         * @throws CollectiveException      when a neighbour does not connect within the connect
         *                                  timeout or presents something else than this run
         */
        public TcpCollective join(int rank, List<InetSocketAddress> addresses, CollectiveOptions options) {
            int size = addresses.size();
            if (rank < 0 || rank >= size) {
                throw new IllegalArgumentException("join: rank " + rank + " of " + size + " addresses");
            }
            if (size == 1) {
                return new TcpCollective(0, 1, null, null, options);
            }
            long deadline = System.nanoTime() + options.connectTimeout().toNanos();
            int after = (rank + 1) % size;
            int before = (rank - 1 + size) % size;
            // Accept while connecting: with two ranks each is the other's next and previous.
            Link[] accepted = new Link[1];
            RuntimeException[] acceptFailure = new RuntimeException[1];
            Thread acceptor = Thread.ofVirtual().start(() -> {
                try {
                    accepted[0] = accept(rank, before, size, options, deadline);
                } catch (RuntimeException e) {
                    acceptFailure[0] = e;
                }
            });
            Link out = null;
            try {
                out = connect(rank, after, addresses.get(after), size, options, deadline);
                acceptor.join();
            } catch (RuntimeException e) {
                close();
                joinQuietly(acceptor);
                closeQuietly(accepted[0]);
                throw e;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                closeQuietly(out);
                throw new CollectiveException("rank " + rank + ": interrupted while joining", e);
            }
            if (acceptFailure[0] != null) {
                closeQuietly(out);
                throw acceptFailure[0];
            }
            try {
                out.socket.setSoTimeout((int) options.readTimeout().toMillis());
                accepted[0].socket.setSoTimeout((int) options.readTimeout().toMillis());
            } catch (IOException e) {
                closeQuietly(out);
                closeQuietly(accepted[0]);
                throw new CollectiveException("rank " + rank + " could not join: " + e.getMessage(), e);
            }
            return new TcpCollective(rank, size, out, accepted[0], options);
        }

        private static Link connect(int rank, int to, InetSocketAddress address, int size, CollectiveOptions options,
                                    long deadline) {
            while (true) {
                int left = millisLeft(deadline);
                if (left <= 0) {
                    throw new CollectiveException("rank " + rank + " could not connect to rank " + to + " at "
                            + address + " within " + options.connectTimeout());
                }
                Socket s = new Socket();
                try {
                    s.connect(address, left);
                    s.setSoTimeout(Math.max(1, millisLeft(deadline)));
                    Link link = new Link(to, address, s);
                    link.hello(rank, size, options.token());
                    int from = link.readHello(size, options.token());
                    if (from != to) {
                        link.close();
                        throw new CollectiveException("rank " + rank + ": the rank at " + address + " says it is rank "
                                + from + ", not " + to + "; the address lists differ");
                    }
                    return link;
                } catch (ConnectException | SocketTimeoutException e) {
                    closeQuietly(s);
                    sleepBriefly();
                } catch (IOException e) {
                    closeQuietly(s);
                    throw new CollectiveException("rank " + rank + ": rank " + to + " at " + address
                            + " is not part of this run: " + e.getMessage(), e);
                }
            }
        }

        /** Waits for the previous rank; connections that are not it (another run, a stray client) are dropped. */
        private Link accept(int rank, int from, int size, CollectiveOptions options, long deadline) {
            while (true) {
                int left = millisLeft(deadline);
                if (left <= 0) {
                    throw new CollectiveException("rank " + rank + ": rank " + from + " did not connect within "
                            + options.connectTimeout());
                }
                Socket s = null;
                try {
                    server.setSoTimeout(left);
                    s = server.accept();
                    s.setSoTimeout(Math.max(1, millisLeft(deadline)));
                    Link link = new Link(from, (InetSocketAddress) s.getRemoteSocketAddress(), s);
                    if (link.readHello(size, options.token()) != from) {
                        throw new IOException("not the previous rank");
                    }
                    link.hello(rank, size, options.token());
                    return link;
                } catch (SocketTimeoutException e) {
                    closeQuietly(s);
                } catch (IOException e) {
                    if (server.isClosed()) {
                        throw new CollectiveException("rank " + rank + ": stopped listening while waiting for rank "
                                + from, e);
                    }
                    closeQuietly(s);
                }
            }
        }

        /** Stops listening; a joined collective keeps its connections. */
        @Override
        public void close() {
            closeQuietly(server);
        }
    }

    private static int millisLeft(long deadline) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, (deadline - System.nanoTime()) / 1_000_000));
    }

    private static void sleepBriefly() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CollectiveException("interrupted while connecting", e);
        }
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // Closing something broken: nothing else to do.
            }
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int size() {
        return size;
    }

    @Override
    public void sumShards(ShardLayout layout, float[][] values, boolean[][] present, float[] out,
                          boolean[] outPresent) {
        checkOpen();
        layout.checkContribution(rank, size, values, present, out, outPresent);
        int n = layout.length();
        int segments = layout.segments();
        boolean[] seen = new boolean[segments];
        run("sumShards", () -> {
            if (rank > 0) {
                prev.expect(SUM, "sumShards");
                int[] theirs = {prev.in.readInt(), prev.in.readInt(), prev.in.readInt()};
                if (theirs[0] != layout.shards() || theirs[1] != segments || theirs[2] != n) {
                    throw new CollectiveException("sumShards: rank " + prev.rank + " sums " + theirs[0] + " shards of "
                            + theirs[1] + " segments (" + theirs[2] + " values), rank " + rank + " "
                            + layout.shards() + " of " + segments + " (" + n + "); every rank must use the same layout");
                }
                for (int i = 0; i < segments; i++) {
                    seen[i] = prev.in.readBoolean();
                }
            }
            // Which segments the sum so far has, and then this rank's shards.
            boolean[] through = seen.clone();
            for (boolean[] p : present) {
                for (int i = 0; i < segments; i++) {
                    through[i] |= p[i];
                }
            }
            if (rank < size - 1) {
                next.out.writeInt(SUM);
                next.out.writeInt(layout.shards());
                next.out.writeInt(segments);
                next.out.writeInt(n);
                for (boolean b : through) {
                    next.out.writeBoolean(b);
                }
            }
            // Chunk by chunk: the running sum from the previous rank, this rank's shards added in order.
            for (int a = 0; a < n; a += CHUNK) {
                int b = Math.min(n, a + CHUNK);
                ShardFold fold;
                if (rank > 0) {
                    prev.readFloats(out, a, b - a);
                    progress();
                    fold = new ShardFold(layout, a, b, out, a, seen);
                } else {
                    fold = ShardFold.empty(layout, a, b, out, a);
                }
                for (int s = 0; s < values.length; s++) {
                    fold.add(values[s], a, present[s]);
                }
                if (rank < size - 1) {
                    next.writeFloats(out, a, b - a);
                    progress();
                }
            }
            if (rank < size - 1) {
                next.out.flush();
            }
            System.arraycopy(through, 0, outPresent, 0, segments);
            passAround(size - 1, GATHER, "sumShards", out, outPresent);
        });
    }

    /**
     * Sends {@code data} (and {@code flags}) from {@code root} round the ring to every other rank,
     * chunk by chunk, each rank forwarding as it receives.
     */
    private void passAround(int root, int op, String what, float[] data, boolean[] flags) throws IOException {
        if (size == 1) {
            return;
        }
        boolean first = rank == root;
        boolean last = (rank + 1) % size == root;
        if (!first) {
            prev.expect(op, what);
            int len = prev.in.readInt();
            if (len != data.length) {
                throw new CollectiveException(what + ": rank " + prev.rank + " passes " + len + " values, rank " + rank
                        + " expects " + data.length);
            }
            for (int i = 0; i < flags.length; i++) {
                flags[i] = prev.in.readBoolean();
            }
        }
        if (!last) {
            next.out.writeInt(op);
            next.out.writeInt(data.length);
            for (boolean f : flags) {
                next.out.writeBoolean(f);
            }
        }
        for (int a = 0; a < data.length; a += CHUNK) {
            int len = Math.min(CHUNK, data.length - a);
            if (!first) {
                prev.readFloats(data, a, len);
                progress();
            }
            if (!last) {
                next.writeFloats(data, a, len);
                progress();
            }
        }
        if (!last) {
            next.out.flush();
        }
    }

    @Override
    public void foldInRankOrder(float[] state, Consumer<float[]> step) {
        checkOpen();
        run("foldInRankOrder", () -> {
            if (rank > 0) {
                prev.expect(FOLD, "foldInRankOrder");
                int len = prev.in.readInt();
                if (len != state.length) {
                    throw new CollectiveException("foldInRankOrder: rank " + prev.rank + " passes " + len
                            + " values, rank " + rank + " expects " + state.length);
                }
                prev.readFloats(state, 0, len);
                progress();
            }
            step.accept(state);
            if (rank < size - 1) {
                next.out.writeInt(FOLD);
                next.out.writeInt(state.length);
                next.writeFloats(state, 0, state.length);
                next.out.flush();
                progress();
            }
            passAround(size - 1, FOLDED, "foldInRankOrder", state, new boolean[0]);
        });
    }

    @Override
    public void broadcast(float[] data, int root) {
        checkOpen();
        if (root < 0 || root >= size) {
            throw new IllegalArgumentException("broadcast: root " + root + " of " + size + " ranks");
        }
        run("broadcast", () -> passAround(root, BROADCAST, "broadcast", data, new boolean[0]));
    }

    @Override
    public void barrier() {
        checkOpen();
        if (size == 1) {
            return;
        }
        // A token from rank 0 round the ring and back (everyone has arrived), then a release.
        run("barrier", () -> {
            for (int round = 0; round < 2; round++) {
                if (rank == 0) {
                    next.out.writeInt(BARRIER);
                    next.out.flush();
                    if (round == 0) {
                        prev.expect(BARRIER, "barrier");
                    }
                } else {
                    prev.expect(BARRIER, "barrier");
                    if (round == 0 || rank < size - 1) {
                        next.out.writeInt(BARRIER);
                        next.out.flush();
                    }
                }
            }
        });
    }

    private interface Pass {
        void run() throws IOException;
    }

    /**
     * Runs one operation under a watchdog: a blocked write has no timeout of its own, so when
     * neither a read nor a write has made progress for the read timeout, the watchdog closes
     * the connections and the blocked call fails.
     */
    private void run(String op, Pass pass) {
        if (size == 1) {
            try {
                pass.run(); // no neighbours: nothing is sent or received
            } catch (IOException e) {
                throw new CollectiveException(op + ": " + e.getMessage(), e);
            }
            return;
        }
        progress();
        stalled = null;
        Thread watchdog = Thread.ofVirtual().start(() -> {
            long limit = options.readTimeout().toNanos();
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    Thread.sleep(Math.max(1, Math.min(1000, limit / 4_000_000)));
                    if (System.nanoTime() - progress > limit) {
                        stalled = op;
                        close();
                        return;
                    }
                }
            } catch (InterruptedException e) {
                // The operation ended.
            }
        });
        try {
            pass.run();
        } catch (IOException | RuntimeException e) {
            close();
            throw failure(op, e);
        } finally {
            watchdog.interrupt();
        }
    }

    private void progress() {
        progress = System.nanoTime();
    }

    private CollectiveException failure(String op, Exception e) {
        if (e instanceof CollectiveException c) {
            return c;
        }
        String neighbours = "rank " + prev.rank + " (" + prev.address + ") before it or rank " + next.rank + " ("
                + next.address + ") after it";
        if (e instanceof SocketTimeoutException || stalled != null) {
            return new CollectiveException(op + ": rank " + rank + " made no progress for " + options.readTimeout()
                    + " with " + neighbours + "; a rank may have stopped or died", e);
        }
        if (e instanceof EOFException) {
            return new CollectiveException(op + ": rank " + prev.rank + " (" + prev.address + ") closed its"
                    + " connection to rank " + rank + " (it, or a rank before it, stopped or failed)", e);
        }
        return new CollectiveException(op + ": rank " + rank + " lost its connection with " + neighbours + ": "
                + e.getMessage(), e);
    }

    private void checkOpen() {
        if (closed) {
            throw new CollectiveException("rank " + rank + ": the collective is closed");
        }
    }

    @Override
    public void close() {
        closed = true;
        closeQuietly(next);
        closeQuietly(prev);
    }

    /** One direction of the ring: the connection to the next rank (written) or from the previous (read). */
    private static final class Link implements AutoCloseable {
        private static final int BUFFER = 1 << 16;

        final int rank;
        final InetSocketAddress address;
        final Socket socket;
        final DataInputStream in;
        final DataOutputStream out;
        private final byte[] bytes = new byte[BUFFER];

        Link(int rank, InetSocketAddress address, Socket socket) throws IOException {
            this.rank = rank;
            this.address = address;
            this.socket = socket;
            socket.setTcpNoDelay(true);
            this.in = new DataInputStream(new BufferedInputStream(socket.getInputStream(), BUFFER));
            this.out = new DataOutputStream(new BufferedOutputStream(socket.getOutputStream(), BUFFER));
        }

        void hello(int rank, int size, String token) throws IOException {
            out.writeUTF(MAGIC);
            out.writeInt(VERSION);
            out.writeUTF(token);
            out.writeInt(rank);
            out.writeInt(size);
            out.flush();
        }

        /** @return the rank the other side says it is, after checking the rest of its hello */
        int readHello(int size, String token) throws IOException {
            if (!MAGIC.equals(in.readUTF()) || in.readInt() != VERSION) {
                throw new IOException("not a Lanes collective of this version");
            }
            String theirs = in.readUTF();
            int from = in.readInt();
            int theirSize = in.readInt();
            if (!theirs.equals(token) || theirSize != size) {
                throw new IOException("another run (its token or rank count differs)");
            }
            return from;
        }

        void expect(int op, String what) throws IOException {
            int got = in.readInt();
            if (got != op) {
                throw new CollectiveException(what + ": rank " + rank + " (" + address + ") sent operation " + got
                        + " instead of " + op + "; the ranks called different operations");
            }
        }

        void writeFloats(float[] src, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int done = 0; done < len; ) {
                int n = Math.min(len - done, BUFFER / Float.BYTES);
                buf.clear();
                buf.asFloatBuffer().put(src, off + done, n);
                out.write(bytes, 0, n * Float.BYTES);
                done += n;
            }
        }

        void readFloats(float[] dst, int off, int len) throws IOException {
            ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
            for (int done = 0; done < len; ) {
                int n = Math.min(len - done, BUFFER / Float.BYTES);
                in.readFully(bytes, 0, n * Float.BYTES);
                buf.clear();
                buf.asFloatBuffer().get(dst, off + done, n);
                done += n;
            }
        }

        @Override
        public void close() {
            closeQuietly(socket);
        }
    }
}
