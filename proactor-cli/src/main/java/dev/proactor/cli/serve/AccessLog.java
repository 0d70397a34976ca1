package dev.proactor.cli.serve;

import dev.proactor.AsyncFile;
import dev.proactor.Proactor;
import dev.proactor.ProactorException;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * The access log in the Common Log Format:
 * {@code host - - [10/Oct/2000:13:55:36 +0000] "GET / HTTP/1.1" 200 2326}.
 * Thread-safe: handlers on any worker call {@link #log}.
 */
abstract sealed class AccessLog {
    private static final DateTimeFormatter CLF_DATE =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

    /** No log: the default. */
    static AccessLog off() {
        return new Off();
    }

    /** Lines to a writer (standard output), flushed per line. */
    static AccessLog to(PrintWriter out) {
        return new ToWriter(out);
    }

    /** Characters of lines waiting for the file's write in flight, at most: see {@link #toFile(Proactor, Path, int)}. */
    static final int MAX_PENDING = 1 << 20;

    /** {@link #toFile(Proactor, Path, int)} with {@link #MAX_PENDING}. */
    static AccessLog toFile(Proactor proactor, Path file) throws ProactorException, InterruptedException {
        return toFile(proactor, file, MAX_PENDING);
    }

    /**
     * Lines appended to a file through the proactor's asynchronous writes: opened (created when
     * missing) at start, written at its end, one write in flight at a time carrying every line
     * logged meanwhile. Lines that would take what waits beyond {@code maxPending} characters (a
     * disk slower than the requests) are dropped whole and counted ({@link #dropped()}), so that
     * the log's memory stays bounded whatever the request rate.
     */
    static AccessLog toFile(Proactor proactor, Path file, int maxPending) throws ProactorException, InterruptedException {
        AsyncFile f = proactor.openFile(file, StandardOpenOption.WRITE, StandardOpenOption.CREATE).await();
        try {
            return new ToFile(f, f.size().await(), maxPending);
        } catch (ProactorException | InterruptedException e) {
            f.close();
            throw e;
        }
    }

    /**
     * Logs one exchange.
     *
     * @param requestLine the request line, or null when none could be read
     * @param bytes body bytes sent
     */
    final void log(String host, String requestLine, int status, long bytes) {
        if (this instanceof Off) {
            return;
        }
        StringBuilder b = new StringBuilder(128).append(host).append(" - - [")
                .append(CLF_DATE.format(ZonedDateTime.now(ZoneId.systemDefault()))).append("] \"");
        if (requestLine == null) {
            b.append('-');
        } else {
            for (int i = 0; i < requestLine.length(); i++) {
                char c = requestLine.charAt(i);
                if (c == '"' || c == '\\') {
                    b.append('\\').append(c);
                } else if (c < 0x20 || c > 0x7e) {
                    b.append(String.format("\\x%02x", (int) c & 0xff));
                } else {
                    b.append(c);
                }
            }
        }
        b.append("\" ").append(status).append(' ').append(bytes == 0 ? "-" : Long.toString(bytes)).append('\n');
        write(b.toString());
    }

    abstract void write(String line);

    /** Lines dropped because the file did not keep up; 0 for a log that never drops. */
    long dropped() {
        return 0;
    }

    /** Completes once every line logged so far is written and the file, if any, closed. */
    abstract CompletableFuture<Void> close();

    private static final class Off extends AccessLog {
        @Override
        void write(String line) {}

        @Override
        CompletableFuture<Void> close() {
            return CompletableFuture.completedFuture(null);
        }
    }

    private static final class ToWriter extends AccessLog {
        private final PrintWriter out;

        ToWriter(PrintWriter out) {
            this.out = out;
        }

        @Override
        void write(String line) {
            synchronized (out) {
                out.print(line);
                out.flush();
            }
        }

        @Override
        CompletableFuture<Void> close() {
            return CompletableFuture.completedFuture(null);
        }
    }

    private static final class ToFile extends AccessLog {
        private final AsyncFile file;
        private final CompletableFuture<Void> closed = new CompletableFuture<>();
        private StringBuilder pending = new StringBuilder(); // guarded by this
        private long position; // guarded by this
        private boolean writing; // guarded by this
        private boolean closing; // guarded by this
        private long dropped; // guarded by this
        private final int maxPending;

        ToFile(AsyncFile file, long position, int maxPending) {
            this.file = file;
            this.position = position;
            this.maxPending = maxPending;
        }

        @Override
        synchronized long dropped() {
            return dropped;
        }

        @Override
        void write(String line) {
            synchronized (this) {
                if (closing) {
                    return;
                }
                if (pending.length() + line.length() > maxPending) {
                    dropped++;
                    return;
                }
                pending.append(line);
                if (writing) {
                    return;
                }
                writing = true;
            }
            flush();
        }

        /** Writes what is pending; runs with {@code writing} set, on one thread at a time. */
        private void flush() {
            ByteBuffer bytes;
            long at;
            synchronized (this) {
                if (pending.isEmpty()) {
                    writing = false;
                    if (closing) {
                        closeFile();
                    }
                    return;
                }
                bytes = ByteBuffer.wrap(pending.toString().getBytes(StandardCharsets.UTF_8));
                pending = new StringBuilder();
                at = position;
                position += bytes.remaining();
            }
            file.writeAll(at, bytes).onComplete((n, failure) -> flush());
        }

        private void closeFile() {
            file.closeAsync().onComplete((v, f) -> closed.complete(null));
        }

        @Override
        CompletableFuture<Void> close() {
            synchronized (this) {
                if (!closing) {
                    closing = true;
                    if (!writing) {
                        closeFile();
                    }
                }
            }
            return closed;
        }
    }
}
