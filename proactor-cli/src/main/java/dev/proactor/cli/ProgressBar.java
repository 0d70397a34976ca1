package dev.proactor.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A one-line progress bar redrawn in place on a terminal, about five times a second, by a daemon
 * thread of its own. Counters are updated from any thread. Whoever writes other lines to the same
 * terminal does so inside {@link #around(Runnable)}, which erases the bar first and draws it again
 * after, so lines and bar never mix.
 */
final class ProgressBar implements AutoCloseable {
    private static final int WIDTH = 30;
    private static final long PERIOD_MILLIS = 200;

    private final PrintWriter err;
    private final long totalBytes;
    private final int totalFiles;
    private final LongAdder bytes = new LongAdder();
    private final AtomicInteger files = new AtomicInteger();
    private final Thread ticker;
    private boolean drawn; // guarded by this
    private boolean closed; // guarded by this

    ProgressBar(PrintWriter err, long totalBytes, int totalFiles) {
        this.err = err;
        this.totalBytes = totalBytes;
        this.totalFiles = totalFiles;
        this.ticker = Thread.ofPlatform().daemon().name("proactor-progress").start(this::tick);
    }

    void addBytes(long n) {
        bytes.add(n);
    }

    void fileDone() {
        files.incrementAndGet();
    }

    /** Runs {@code write} with the bar erased. */
    synchronized void around(Runnable write) {
        erase();
        write.run();
        if (!closed) {
            draw();
        }
    }

    private void tick() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    draw();
                }
                Thread.sleep(PERIOD_MILLIS);
            }
        } catch (InterruptedException e) {
            // closing
        }
    }

    private void draw() {
        long done = bytes.sum();
        double fraction = totalBytes == 0 ? (totalFiles == 0 ? 1 : (double) files.get() / totalFiles)
                : Math.min(1.0, (double) done / totalBytes);
        int filled = (int) Math.round(fraction * WIDTH);
        err.print(String.format(Locale.ROOT, "\r[%s%s] %3d%%  %s / %s  %d / %d files\033[K",
                "#".repeat(filled), ".".repeat(WIDTH - filled), (int) (fraction * 100), size(done), size(totalBytes),
                files.get(), totalFiles));
        err.flush();
        drawn = true;
    }

    private void erase() {
        if (drawn) {
            err.print("\r\033[K");
            err.flush();
            drawn = false;
        }
    }

    static String size(long n) {
        if (n < 1024) {
            return n + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double v = n;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** Stops redrawing and erases the bar. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            erase();
        }
        ticker.interrupt();
    }
}
