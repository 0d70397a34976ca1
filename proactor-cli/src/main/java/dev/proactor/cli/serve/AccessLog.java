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
 * Thread-safe: handlers on the dispatcher or on any worker call {@link #log}, which never blocks.
 */
abstract sealed class AccessLog {
    private static final DateTimeFormatter CLF_DATE =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT);

    /** No log: the default. */
    static AccessLog off() {
        return new Off();
    }

    /**
     * Lines to a writer (standard output), written and flushed on a {@link BlockingWork} thread,
     * since a terminal or a pipe read slowly blocks the write and no handler may wait for it: one
     * write at a time carries every line logged meanwhile, at most {@link #MAX_PENDING} characters
     * waiting, beyond which lines are dropped and counted as for a file.
     */
    static AccessLog to(PrintWriter out, BlockingWork blocking) {
        return new ToWriter(out, blocking, MAX_PENDING);
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

    /**
     * Lines gathered while one write is in flight, which then carries all of them: at most
     * {@code maxPending} characters wait, beyond which a line is dropped whole and counted.
     */
    private abstract static sealed class Batching extends AccessLog permits ToWriter, ToFile {
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final int maxPending;
        private StringBuilder pending = new StringBuilder(); // guarded by this
        private boolean writing; // guarded by this
        private boolean closing; // guarded by this
        private long dropped; // guarded by this

        Batching(int maxPending) {
            this.maxPending = maxPending;
        }

        @Override
        final synchronized long dropped() {
            return dropped;
        }

        @Override
        final void write(String line) {
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
            startWriting();
        }

        /**
         * The lines pending, now taken by the writer; or null when none are, and the writer stops
         * (then, closing, {@link #finish} runs). Called with {@code writing} set, by one thread at a time.
         */
        final String take() {
            boolean finish;
            synchronized (this) {
                if (!pending.isEmpty()) {
                    String text = pending.toString();
                    pending = new StringBuilder();
                    return text;
                }
                writing = false;
                finish = closing;
            }
            if (finish) {
                finish();
            }
            return null;
        }

        /** Begins writing what {@link #take} gives, until it gives null; {@code writing} is set. */
        abstract void startWriting();

        /** Closing, and the last write ended: complete {@link #closed}. */
        abstract void finish();

        /** Called when {@code startWriting} could not begin: nothing more is written. */
        final synchronized void stopWriting() {
            writing = false;
        }

        @Override
        final CompletableFuture<Void> close() {
            boolean finish;
            synchronized (this) {
                finish = !closing && !writing;
                closing = true;
            }
            if (finish) {
                finish();
            }
            return closed;
        }
    }

    private static final class ToWriter extends Batching {
        private final PrintWriter out;
        private final BlockingWork blocking;

        ToWriter(PrintWriter out, BlockingWork blocking, int maxPending) {
            super(maxPending);
            this.out = out;
            this.blocking = blocking;
        }

        @Override
        void startWriting() {
            try {
                blocking.execute(this::drain);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                stopWriting(); // the server stopped: nothing more is written
            }
        }

        /** On a {@link BlockingWork} thread: writes what is pending until nothing is. */
        private void drain() {
            for (String text = take(); text != null; text = take()) {
                blocking.blocking("access log");
                synchronized (out) {
                    out.print(text);
                    out.flush();
                }
            }
        }

        @Override
        void finish() {
            closed.complete(null);
        }
    }

    private static final class ToFile extends Batching {
        private final AsyncFile file;
        private long position; // touched by the one writer at a time

        ToFile(AsyncFile file, long position, int maxPending) {
            super(maxPending);
            this.file = file;
            this.position = position;
        }

        @Override
        void startWriting() {
            String text = take();
            if (text == null) {
                return;
            }
            ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
            long at = position;
            position += bytes.remaining();
            file.writeAll(at, bytes).onComplete((n, failure) -> startWriting());
        }

        @Override
        void finish() {
            file.closeAsync().onComplete((v, f) -> closed.complete(null));
        }
    }
}
