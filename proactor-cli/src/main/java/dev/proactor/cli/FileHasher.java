package dev.proactor.cli;

import dev.proactor.AsyncFile;
import dev.proactor.BufferLease;
import dev.proactor.Operation;
import dev.proactor.OperationFailedException;
import dev.proactor.Proactor;
import dev.proactor.ProactorException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.HexFormat;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Hashes one file with SHA-256 through asynchronous reads. The file is opened, then
 * {@code readAhead} chunks are read at once at consecutive offsets; the completion handler of a
 * read feeds its chunk to the digest, so hashing runs on the proactor's workers while the next
 * chunks are still being read. The digest must see the chunks in file order, and their reads may
 * complete in any order: a handler whose chunk is not the oldest one outstanding only records its
 * result, and whichever handler finds the oldest one complete drains every complete chunk from the
 * front (one drainer at a time, so the digest is never used by two threads). A drained chunk's
 * buffer is reused at once for the next offset, so at most {@code readAhead} reads are in flight
 * and as many buffers are held. A short read is hashed and its remainder read again before the
 * next chunk; the file ends at the first read that returns no bytes, which lets a file that grows
 * or shrinks while being read come out as {@code sha256sum} would see it.
 *
 * <p>Buffers: slabs leased from {@link Proactor#buffers()} (registered with the kernel on
 * io_uring), or direct buffers of the chunk size when the pool has none left. They are released
 * as soon as the file is done with them.
 */
final class FileHasher {

    /**
     * The outcome: exactly one of {@code hex} and {@code error} is non-null.
     *
     * @param hex the lower-case hex digest
     * @param error why the file could not be hashed
     */
    record Result(String hex, String error) {}

    private final Proactor proactor;
    private final Path path;
    private final int chunkSize;
    private final int readAhead;
    private final LongConsumer progress;
    private final Consumer<Result> onDone;

    // Guarded by this.
    private final ArrayDeque<Chunk> chunks = new ArrayDeque<>();
    private boolean draining;
    // Touched only by the one drainer (or before the first read is initiated).
    private AsyncFile file;
    private MessageDigest digest;
    private long nextOffset;
    private boolean stopped;
    private String error;

    FileHasher(Proactor proactor, Path path, int chunkSize, int readAhead, LongConsumer progress,
            Consumer<Result> onDone) {
        this.proactor = proactor;
        this.path = path;
        this.chunkSize = chunkSize;
        this.readAhead = readAhead;
        this.progress = progress;
        this.onDone = onDone;
    }

    /** Opens the file and starts reading; returns at once. {@code onDone} runs exactly once, on a worker. */
    void start() {
        proactor.openFile(path, StandardOpenOption.READ).onComplete(this::opened);
    }

    private void opened(AsyncFile opened, ProactorException failure) {
        if (failure != null) {
            onDone.accept(new Result(null, reason(failure)));
            return;
        }
        file = opened;
        digest = sha256();
        for (int i = 0; i < readAhead; i++) {
            Chunk c = new Chunk(proactor.buffers().tryLease(), chunkSize);
            c.offset = nextOffset;
            c.length = chunkSize;
            nextOffset += chunkSize;
            issue(c, false);
        }
    }

    private void issue(Chunk c, boolean atFront) {
        synchronized (this) {
            c.done = false;
            if (atFront) {
                chunks.addFirst(c);
            } else {
                chunks.addLast(c);
            }
        }
        c.read(file).onComplete((n, failure) -> completed(c, n, failure));
    }

    private void completed(Chunk c, Integer n, ProactorException failure) {
        synchronized (this) {
            c.done = true;
            c.result = n == null ? -1 : n;
            c.failure = failure;
            if (draining) {
                return;
            }
            draining = true;
        }
        drain();
    }

    private void drain() {
        for (;;) {
            Chunk head;
            synchronized (this) {
                head = chunks.peekFirst();
                if (head != null && !head.done) {
                    draining = false;
                    return;
                }
                if (head != null) {
                    chunks.pollFirst();
                }
            }
            if (head == null) {
                finish(); // stopped, and the last outstanding read has ended
                return;
            }
            process(head);
        }
    }

    private void process(Chunk c) {
        if (stopped) {
            c.free(); // read ahead past the end, or after a failure
        } else if (c.failure != null) {
            stopped = true;
            error = reason(c.failure);
            c.free();
        } else if (c.result <= 0) {
            stopped = true;
            c.free();
        } else {
            digest.update(c.bytes(c.result));
            progress.accept(c.result);
            if (c.result < c.length) {
                c.offset += c.result;
                c.length -= c.result;
                issue(c, true);
            } else {
                c.offset = nextOffset;
                c.length = chunkSize;
                nextOffset += chunkSize;
                issue(c, false);
            }
        }
    }

    private void finish() {
        Result result = error == null ? new Result(HexFormat.of().formatHex(digest.digest()), null)
                : new Result(null, error);
        // Report after the close, so that no more than the files in flight hold a descriptor.
        file.closeAsync().onComplete((v, failure) -> onDone.accept(result));
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every Java platform has SHA-256", e);
        }
    }

    /** The reason in a failure report: the system's text for an errno, else the whole message. */
    static String reason(ProactorException failure) {
        return failure instanceof OperationFailedException f ? f.description() : failure.getMessage();
    }

    /** One read-ahead slot: a buffer and the read it is lent to. */
    private static final class Chunk {
        private final BufferLease lease;
        private final ByteBuffer direct;
        long offset;
        int length;
        boolean done;
        int result;
        ProactorException failure;

        Chunk(BufferLease lease, int size) {
            this.lease = lease;
            this.direct = lease == null ? ByteBuffer.allocateDirect(size) : null;
        }

        Operation<Integer> read(AsyncFile file) {
            return lease != null ? file.read(offset, lease, length) : file.read(offset, direct.clear().limit(length));
        }

        ByteBuffer bytes(int n) {
            return lease != null ? lease.segment().asSlice(0, n).asByteBuffer() : direct.duplicate().position(0).limit(n);
        }

        void free() {
            if (lease != null) {
                lease.release();
            }
        }
    }
}

