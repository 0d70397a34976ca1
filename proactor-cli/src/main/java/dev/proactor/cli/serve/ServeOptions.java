package dev.proactor.cli.serve;

import dev.proactor.BackendChoice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * What a {@link StaticFileServer} serves and how.
 *
 * @param root the directory served
 * @param bind the address listened on
 * @param port the TCP port, 0 for any free one
 * @param backend the proactor backend
 * @param workers 0 (the default) to run the handlers on each proactor's dispatcher thread
 *     ({@code inlineHandlers}: no hand-off per request, what may block goes to the server's own
 *     threads), or this many worker threads per dispatcher that run them
 * @param dispatchers proactors serving, each with its own dispatcher thread, ring and listener on the
 *     same port (SO_REUSEPORT: the kernel spreads connections across them); 1 for a single proactor
 * @param maxConnections connections served at once, split evenly across the dispatchers. At the
 *     limit a newcomer reclaims the slot of a connection that only waits (the longest-idle
 *     keep-alive one, else the oldest that has sent nothing), being accepted as one extra per
 *     dispatcher while that one closes; when every connection is mid-request or mid-response,
 *     newcomers wait in the listen backlog. It also bounds the input buffers' native memory:
 *     ({@code maxConnections} + dispatchers) × {@code maxHeaderSize}
 * @param maxRequestsPerConnection requests answered on one connection; the last answer says
 *     {@code Connection: close}, and the connection closes after it
 * @param maxRequestLine the longest request line accepted (414 above it)
 * @param maxHeaderSize the largest request head accepted, request line included (431 above it);
 *     also each connection's input buffer size
 * @param idleTimeout how long a keep-alive connection may wait for its next request, and how
 *     long one send may take to make progress, before it is closed
 * @param headerTimeout how long a request head may take to arrive once its first byte did, and
 *     the first request's head from the accept (slow-loris defence; a connection that sends
 *     nothing is a slow head); then 408 and close
 * @param shutdownTimeout how long a stop lets responses in flight finish before cutting them
 * @param accessLog null for none, {@code "-"} for standard output, else a file path
 * @param fileCacheEntries files kept open (or, up to {@link FileCache#SMALL_BODY} bytes, in memory)
 *     for the next request to them, split evenly across the dispatchers; 0 opens every file per
 *     request. Small bodies cost at most this many × 16 KiB of direct memory
 * @param fileCacheDescriptors of those entries, how many may hold an open descriptor (larger files);
 *     the process needs this many descriptors beyond {@code maxConnections}
 * @param fileCacheValidity how long a cached file is served without checking its path again (an
 *     open beneath the root and a {@code statx}): the longest a changed, replaced or deleted file is still
 *     served as it was; zero checks on every request
 */
public record ServeOptions(Path root, String bind, int port, BackendChoice backend, int workers, int dispatchers,
        int maxConnections, int maxRequestsPerConnection,
        int maxRequestLine, int maxHeaderSize, Duration idleTimeout, Duration headerTimeout,
        Duration shutdownTimeout, String accessLog, int fileCacheEntries, int fileCacheDescriptors,
        Duration fileCacheValidity) {

    /** Checks every value, so a bad one fails before anything is opened. */
    public ServeOptions {
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(backend, "backend");
        require(port >= 0 && port <= 65535, "port must be in [0, 65535]: " + port);
        require(workers >= 0 && workers <= 4096, "workers must be in [0 (handlers on the dispatcher), 4096]: "
                + workers);
        require(dispatchers >= 1 && dispatchers <= 256, "dispatchers must be in [1, 256]: " + dispatchers);
        require(maxConnections >= 1 && maxConnections <= 1 << 20, "max connections must be in [1, 1048576]: "
                + maxConnections);
        require(maxRequestsPerConnection >= 1, "max requests per connection must be at least 1: "
                + maxRequestsPerConnection);
        require(maxRequestLine >= 64 && maxRequestLine <= 1 << 20, "max request line must be in [64, 1m]: "
                + maxRequestLine);
        require(maxHeaderSize >= maxRequestLine && maxHeaderSize <= 1 << 20,
                "max header size must be in [max request line, 1m]: " + maxHeaderSize);
        for (Duration d : new Duration[] {idleTimeout, headerTimeout, shutdownTimeout}) {
            Objects.requireNonNull(d, "timeout");
            require(!d.isNegative() && !d.isZero(), "timeouts must be positive: " + d);
        }
        require(fileCacheEntries >= 0 && fileCacheEntries <= 1 << 20, "file cache entries must be in [0, 1048576]: "
                + fileCacheEntries);
        require(fileCacheDescriptors >= 0 && fileCacheDescriptors <= 1 << 20,
                "file cache descriptors must be in [0, 1048576]: " + fileCacheDescriptors);
        Objects.requireNonNull(fileCacheValidity, "fileCacheValidity");
        require(!fileCacheValidity.isNegative(), "file cache validity must not be negative: " + fileCacheValidity);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }

    /** A builder for serving {@code root}, holding the defaults: loopback, port 8080, automatic backend. */
    public static Builder builder(Path root) {
        return new Builder(root);
    }

    /** Builds {@link ServeOptions}; every setter returns the builder. */
    public static final class Builder {
        private final Path root;
        private String bind = "127.0.0.1";
        private int port = 8080;
        private BackendChoice backend = BackendChoice.AUTO;
        private int workers;
        private int dispatchers = 1;
        private int maxConnections = 1024;
        private int maxRequestsPerConnection = 1000;
        private int maxRequestLine = 8192;
        private int maxHeaderSize = 16384;
        private Duration idleTimeout = Duration.ofSeconds(60);
        private Duration headerTimeout = Duration.ofSeconds(10);
        private Duration shutdownTimeout = Duration.ofSeconds(5);
        private String accessLog;
        private int fileCacheEntries = 1024;
        private int fileCacheDescriptors = 256;
        private Duration fileCacheValidity = Duration.ofSeconds(1);

        private Builder(Path root) {
            this.root = root;
        }

        /** See {@link ServeOptions#bind()}. */
        public Builder bind(String v) { bind = v; return this; }

        /** See {@link ServeOptions#port()}. */
        public Builder port(int v) { port = v; return this; }

        /** See {@link ServeOptions#backend()}. */
        public Builder backend(BackendChoice v) { backend = v; return this; }

        /** See {@link ServeOptions#workers()}. */
        public Builder workers(int v) { workers = v; return this; }

        /** See {@link ServeOptions#dispatchers()}. */
        public Builder dispatchers(int v) { dispatchers = v; return this; }

        /** See {@link ServeOptions#maxConnections()}. */
        public Builder maxConnections(int v) { maxConnections = v; return this; }

        /** See {@link ServeOptions#maxRequestsPerConnection()}. */
        public Builder maxRequestsPerConnection(int v) { maxRequestsPerConnection = v; return this; }

        /** See {@link ServeOptions#maxRequestLine()}. */
        public Builder maxRequestLine(int v) { maxRequestLine = v; return this; }

        /** See {@link ServeOptions#maxHeaderSize()}. */
        public Builder maxHeaderSize(int v) { maxHeaderSize = v; return this; }

        /** See {@link ServeOptions#idleTimeout()}. */
        public Builder idleTimeout(Duration v) { idleTimeout = v; return this; }

        /** See {@link ServeOptions#headerTimeout()}. */
        public Builder headerTimeout(Duration v) { headerTimeout = v; return this; }

        /** See {@link ServeOptions#shutdownTimeout()}. */
        public Builder shutdownTimeout(Duration v) { shutdownTimeout = v; return this; }

        /** See {@link ServeOptions#accessLog()}. */
        public Builder accessLog(String v) { accessLog = v; return this; }

        /** See {@link ServeOptions#fileCacheEntries()}. */
        public Builder fileCacheEntries(int v) { fileCacheEntries = v; return this; }

        /** See {@link ServeOptions#fileCacheDescriptors()}. */
        public Builder fileCacheDescriptors(int v) { fileCacheDescriptors = v; return this; }

        /** See {@link ServeOptions#fileCacheValidity()}. */
        public Builder fileCacheValidity(Duration v) { fileCacheValidity = v; return this; }

        /**
         * Validates and builds.
         *
         * @throws IllegalArgumentException for a value out of range; the message names it
         */
        public ServeOptions build() {
            return new ServeOptions(root, bind, port, backend, workers, dispatchers, maxConnections,
                    maxRequestsPerConnection, maxRequestLine, maxHeaderSize,
                    idleTimeout, headerTimeout, shutdownTimeout, accessLog, fileCacheEntries, fileCacheDescriptors,
                    fileCacheValidity);
        }
    }
}
