package dev.proactor.internal.nio;

import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Confined to the dispatcher thread: the portable backend's descriptors, int handles into a table
 * of open channels: files ({@link OpenFile}) and stream sockets and listeners ({@link NioSocket})
 * share it, as they share one descriptor space in the kernel, so that a close or a stale handle
 * works alike for both. The file threads never look a handle up; the dispatcher resolves it when it
 * submits a request and hands the {@link OpenFile} itself to the task.
 *
 * <p>A handle is {@code generation << 20 | slot}: up to 2^20 channels open at once, and a slot's
 * generation (11 bits, never 0) changes each time it is reused, so a handle kept after its close
 * is refused with EBADF instead of reaching whatever file took the slot next. Handles are positive.
 */
final class ChannelTable {
    static final int SLOT_BITS = 20;
    static final int MAX_SLOTS = 1 << SLOT_BITS;
    private static final int SLOT_MASK = MAX_SLOTS - 1;
    private static final int GENERATION_MASK = (1 << (31 - SLOT_BITS)) - 1;

    /** What a handle names: a file or a socket. */
    sealed interface Entry permits OpenFile, NioSocket {
        /** Closes the underlying channel(s); on the dispatcher, or on a file thread for a file's Close. */
        void close() throws java.io.IOException;
    }

    /**
     * An open file: its channel, the path it was opened by (for stat, which FileChannel cannot do),
     * and for READ with APPEND a second, read-only channel (see {@link FileCalls}).
     */
    static final class OpenFile implements Entry {
        final FileChannel channel;
        /** Where reads go: {@link #channel}, or the read-only twin of an append-only channel. */
        final FileChannel reader;
        final Path path;
        /**
         * Set by a file thread when a positional call failed with ESPIPE (a pipe, FIFO or terminal):
         * later calls use the channel's own position, as io_uring does for such files.
         */
        volatile boolean stream;
        /**
         * The file store's block size, looked up by the first stat (finding the store reads the
         * mount table); 0 until then. Racy on purpose: every file thread computes the same value.
         */
        int blockSize;

        /**
         * A pipe, FIFO, socket or character device, told at open: its reads and writes may wait
         * for ever for the other end, so they run on threads of their own
         * ({@link FilePool#forStreams}), never on the bounded pool that regular files need.
         */
        final boolean pipeLike;

        OpenFile(FileChannel channel, FileChannel reader, Path path) {
            this(channel, reader, path, false);
        }

        OpenFile(FileChannel channel, FileChannel reader, Path path, boolean pipeLike) {
            this.channel = channel;
            this.reader = reader == null ? channel : reader;
            this.path = path;
            this.pipeLike = pipeLike;
        }

        /** Closes the channel, and the reader if it is a channel of its own. */
        @Override
        public void close() throws java.io.IOException {
            try {
                channel.close();
            } finally {
                if (reader != channel) {
                    reader.close();
                }
            }
        }
    }

    private Entry[] files = new Entry[16];
    private int[] generations = new int[16];
    /** Free slots, used last-in first-out. */
    private int[] free = new int[16];
    private int freeCount;
    private int highWater;
    private int open;

    /** Enters {@code f}; returns its handle, or -1 when the table is full. */
    int add(Entry f) {
        int slot;
        if (freeCount > 0) {
            slot = free[--freeCount];
        } else if (highWater < MAX_SLOTS) {
            slot = highWater++;
            if (slot == files.length) {
                int n = Math.min(MAX_SLOTS, files.length * 2);
                files = Arrays.copyOf(files, n);
                generations = Arrays.copyOf(generations, n);
            }
        } else {
            return -1;
        }
        int gen = (generations[slot] & GENERATION_MASK) + 1;
        if (gen > GENERATION_MASK) {
            gen = 1;
        }
        generations[slot] = gen;
        files[slot] = f;
        open++;
        return gen << SLOT_BITS | slot;
    }

    /** What is under {@code handle}, or null when the handle is not open. */
    Entry get(int handle) {
        if (handle <= 0) {
            return null;
        }
        int slot = handle & SLOT_MASK;
        if (slot >= highWater || generations[slot] != handle >>> SLOT_BITS) {
            return null;
        }
        return files[slot];
    }

    /** Takes {@code handle} out of the table; returns what it named, or null when it was not open. */
    Entry remove(int handle) {
        Entry f = get(handle);
        if (f == null) {
            return null;
        }
        int slot = handle & SLOT_MASK;
        files[slot] = null;
        if (freeCount == free.length) {
            free = Arrays.copyOf(free, free.length * 2);
        }
        free[freeCount++] = slot;
        open--;
        return f;
    }

    /** Channels open now. */
    int size() {
        return open;
    }

    /** Empties the table; returns what was in it. */
    List<Entry> removeAll() {
        List<Entry> all = new ArrayList<>(open);
        for (int slot = 0; slot < highWater; slot++) {
            if (files[slot] != null) {
                all.add(files[slot]);
                files[slot] = null;
                if (freeCount == free.length) {
                    free = Arrays.copyOf(free, free.length * 2);
                }
                free[freeCount++] = slot;
            }
        }
        open = 0;
        return all;
    }
}
