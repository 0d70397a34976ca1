package dev.proactor.cli.serve;

import dev.proactor.AsyncFile;
import dev.proactor.FileStat;
import dev.proactor.Operation;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * Open files shared by one proactor's connections, so that a file asked for again is answered
 * without resolving its path, opening or stat-ing it: for each contained path it keeps the open
 * descriptor (or, for a body of at most {@link #SMALL_BODY} bytes, the bytes themselves and no
 * descriptor), the size, the validators and the fixed part of a 200's head. All methods may be
 * called from any thread; the map and the reference counts are guarded by {@code this}.
 *
 * <p><b>Bounds.</b> At most {@code maxEntries} entries and {@code maxDescriptors} of them holding a
 * descriptor; beyond either the least recently used entry (holding a descriptor, for the second)
 * leaves. An entry that left is closed once no response uses it: each response holds a reference
 * from {@link #acquire} or {@link #load} until {@link #release}, so a file is never closed under a
 * transfer. Descriptors open at once are therefore at most {@code maxDescriptors} plus one per
 * response in flight on an entry that already left. Memory for small bodies is at most
 * {@code maxEntries} × {@link #SMALL_BODY} of direct buffers.
 *
 * <p><b>Staleness.</b> A hit is served without a system call while the entry was validated within
 * {@code validity}; after that, the next request that finds it opens the path again as a miss does
 * ({@link PathResolver}: openat2 beneath the root, then {@code statx} of what opened) and keeps the
 * entry only if what the path now opens is a regular file with the same inode, size and modification
 * time. A file changed, replaced, renamed, deleted or swapped for a link out of the root is
 * therefore served as it was for at most {@code validity} (plus the duration of that one check)
 * after the change, and never after. The entry's attributes are the opened descriptor's own, so
 * no replacement between a resolve and an open can pair one file's attributes with another's bytes.
 */
final class FileCache {
    /** Bodies up to this size are read once into memory and sent with the head in one gathering send. */
    static final int SMALL_BODY = 16 * 1024;

    private final int maxEntries;
    private final int maxDescriptors;
    private final long validityNanos;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true); // guarded by this
    private int descriptors; // guarded by this: entries in the map holding a descriptor
    private boolean closed; // guarded by this
    private final AtomicLong hits = new AtomicLong();

    /**
     * @param maxEntries entries kept, 0 for none (every response opens its file, as without a cache)
     * @param maxDescriptors entries kept that hold an open descriptor (bodies above {@link #SMALL_BODY})
     * @param validityNanos how long an entry is served without checking the path again; 0 checks on
     *     every request
     */
    FileCache(int maxEntries, int maxDescriptors, long validityNanos) {
        this.maxEntries = maxEntries;
        this.maxDescriptors = maxDescriptors;
        this.validityNanos = validityNanos;
    }

    /**
     * One file as it was opened: its body source, its validators and the fixed headers of a 200.
     * Immutable but for the validation time and, guarded by the cache, the reference count.
     */
    /**
     * A keep-alive 200's head and the epoch second of its Date line, with the body it goes with
     * ({@link MemorySegment#NULL}'s empty slice when the body is sent from the file), as segments
     * every response in that second shares.
     */
    record DatedHead(long second, MemorySegment head, MemorySegment body) {}

    /** An empty native segment: the body of a head sent alone. */
    static final MemorySegment NO_BODY = MemorySegment.ofBuffer(ByteBuffer.allocateDirect(0));

    static final class Entry {
        final String key;
        /** The path as the request named it, under the root; its name gives the content type. */
        final Path path;
        private final long inode;
        /** The open file for a transfer, or null when the body is in memory. */
        final AsyncFile file;
        /** The whole body (read-only, direct), or null when it is sent from {@link #file}. */
        final ByteBuffer body;
        final long size;
        final String contentType;
        final String etag;
        final long modifiedSecond;
        private final Instant lastModified;
        /** Last-Modified's text for {@link #modifiedSecond}, used when that lies before the Date. */
        final String lastModifiedText;
        /** Content-Type through Accept-Ranges of a whole 200 (Last-Modified as {@link #lastModifiedText}). */
        final byte[] fixed200;
        private final AtomicLong validated;
        /** The last keep-alive 200 head made by {@link #keepAliveHead}, with its Date's second. */
        private volatile DatedHead keepAliveHead;
        private int refs = 1; // guarded by the cache: the response that loaded it holds the first
        private boolean kept; // guarded by the cache: in the map

        Entry(String key, Path path, AsyncFile file, ByteBuffer body, FileStat stat, long now) {
            this.key = key;
            this.path = path;
            this.inode = stat.inode();
            this.file = file;
            this.body = body;
            this.size = stat.size();
            this.contentType = ContentTypes.of(path.getFileName().toString());
            Validators v = Validators.of(size, stat.lastModified(), Long.MAX_VALUE);
            this.etag = v.etag();
            this.modifiedSecond = stat.lastModified().getEpochSecond();
            this.lastModified = stat.lastModified();
            this.lastModifiedText = HttpDates.format(Instant.ofEpochSecond(modifiedSecond));
            this.fixed200 = ("Content-Type: " + contentType + "\r\nContent-Length: " + size + "\r\nLast-Modified: "
                    + lastModifiedText + "\r\nETag: " + etag + "\r\nAccept-Ranges: bytes\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            this.validated = new AtomicLong(now);
        }

        /**
         * The whole head of a 200 dated {@code date} that keeps an HTTP/1.1 connection open (no
         * Connection line) and the in-memory body, made once a second per entry in direct memory
         * and shared read-only, so that the common answer formats nothing, copies nothing and
         * allocates nothing: a gather send of the two segments. Only for a {@code date} at least a
         * second after the modification (the caller checks), so the Last-Modified is
         * {@link #lastModifiedText}.
         */
        DatedHead keepAliveHead(long date) {
            DatedHead h = keepAliveHead;
            if (h == null || h.second != date) {
                byte[] prefix = ResponseHead.okPrefix(date);
                ByteBuffer b = ByteBuffer.allocateDirect(prefix.length + fixed200.length + 2);
                b.put(prefix).put(fixed200).put((byte) '\r').put((byte) '\n').flip();
                h = new DatedHead(date, MemorySegment.ofBuffer(b.asReadOnlyBuffer()),
                        body == null ? NO_BODY : MemorySegment.ofBuffer(body));
                keepAliveHead = h;
            }
            return h;
        }

        /** The validators as sent with a response dated {@code date}. */
        Validators validators(long date) {
            return new Validators(etag, Math.min(modifiedSecond, date), date);
        }

        /** Whether the path, opened again, still leads to the file this entry holds, unchanged. */
        boolean sameAs(FileStat s) {
            return s.inode() == inode && s.size() == size && s.lastModified().equals(lastModified);
        }
    }

    /**
     * The entry for {@code key} with a reference for the caller, who must {@link #release} it, or
     * null on a miss.
     */
    Entry acquire(String key) {
        Entry e;
        synchronized (this) {
            e = entries.get(key);
            if (e == null) {
                return null;
            }
            e.refs++;
        }
        hits.incrementAndGet();
        return e;
    }

    /**
     * Whether the caller must check the path again before serving {@code e}: its validity ran out.
     * Of the requests that find it so at once, one checks and the others serve it meanwhile.
     */
    boolean due(Entry e, long now) {
        if (validityNanos == 0) {
            return true;
        }
        long v = e.validated.get();
        return now - v >= validityNanos && e.validated.compareAndSet(v, now);
    }

    /** The check passed: {@code e} is valid for another {@code validity} from {@code now}. */
    void validated(Entry e, long now) {
        e.validated.set(now);
    }

    /** The check failed: {@code e} leaves (it closes when its last response releases it). */
    void invalidate(Entry e) {
        AsyncFile close = null;
        synchronized (this) {
            if (e.kept) {
                entries.remove(e.key, e);
                close = leave(e);
            }
        }
        closeFile(close);
    }

    /** Ends the caller's use of {@code e}; the last use of an entry that left closes its file. */
    void release(Entry e) {
        AsyncFile close = null;
        synchronized (this) {
            if (--e.refs == 0 && !e.kept) {
                close = e.file;
            }
        }
        closeFile(close);
    }

    /**
     * Takes the regular file {@code opened} (which the caller's reference now owns) and, for a small
     * body, reads it, then keeps the entry when the cache allows. {@code done} gets the entry with a
     * reference for the caller, or null and the status to answer (500). It runs in a completion
     * handler.
     *
     * @param path the file's path under the root, as the request named it
     */
    void load(String key, Path path, PathResolver.RegularFile opened, BiConsumer<Entry, Integer> done) {
        AsyncFile file = opened.file();
        FileStat stat = opened.stat();
        boolean keep = maxEntries > 0 && key != null;
        long now = System.nanoTime();
        if (keep && stat.size() <= SMALL_BODY) {
            ByteBuffer body = ByteBuffer.allocateDirect((int) stat.size());
            Operation<Long> read = stat.size() == 0 ? null : file.readFully(0, body);
            if (read == null) {
                file.closeAsync();
                done.accept(kept(new Entry(key, path, null, body.asReadOnlyBuffer(), stat, now), true), 0);
                return;
            }
            read.onComplete((n, rf) -> {
                file.closeAsync(); // the bytes are in memory: no descriptor is held for them
                if (rf != null) {
                    done.accept(null, 500); // shrank under the read: the client may ask again
                } else {
                    done.accept(kept(new Entry(key, path, null, body.flip().asReadOnlyBuffer(), stat, now), true), 0);
                }
            });
        } else {
            done.accept(kept(new Entry(key, path, file, null, stat, now), keep && maxDescriptors > 0), 0);
        }
    }

    /** Keeps {@code e} if {@code keep} and the cache is open, within the bounds. */
    private Entry kept(Entry e, boolean keep) {
        List<AsyncFile> close = new ArrayList<>();
        synchronized (this) {
            if (!keep || closed) {
                return e;
            }
            e.kept = true;
            Entry old = entries.put(e.key, e);
            if (old != null) {
                add(close, leave(old)); // a concurrent miss loaded the same path: the newer one stays
            }
            if (e.file != null) {
                descriptors++;
            }
            Iterator<Entry> eldest = entries.values().iterator();
            while (descriptors > maxDescriptors && eldest.hasNext()) {
                Entry x = eldest.next();
                if (x.file != null) {
                    eldest.remove();
                    add(close, leave(x));
                }
            }
            eldest = entries.values().iterator();
            while (entries.size() > maxEntries && eldest.hasNext()) {
                Entry x = eldest.next();
                eldest.remove();
                add(close, leave(x));
            }
        }
        close.forEach(FileCache::closeFile);
        return e;
    }

    private static void add(List<AsyncFile> close, AsyncFile f) {
        if (f != null) {
            close.add(f);
        }
    }

    /** {@code e} was removed from the map: it no longer counts, and its file closes if unused. */
    private AsyncFile leave(Entry e) {
        e.kept = false;
        if (e.file != null) {
            descriptors--;
        }
        return e.refs == 0 ? e.file : null;
    }

    private static void closeFile(AsyncFile f) {
        if (f != null) {
            f.closeAsync();
        }
    }

    /**
     * Empties the cache for the stop; later loads are not kept. Returns the closes of the files no
     * response uses (those still in use close at their release).
     */
    List<Operation<Void>> close() {
        List<AsyncFile> files = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (Entry e : entries.values()) {
                add(files, leave(e));
            }
            entries.clear();
        }
        return files.stream().map(AsyncFile::closeAsync).toList();
    }

    /** Entries kept now. */
    synchronized int size() {
        return entries.size();
    }

    /** Entries kept now that hold an open descriptor. */
    synchronized int descriptors() {
        return descriptors;
    }

    /** Requests that found their file here. */
    long hits() {
        return hits.get();
    }
}
