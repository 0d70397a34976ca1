package dev.proactor.internal.nio;

import dev.proactor.FileOpenOption;
import dev.proactor.internal.spi.Request;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.Set;

/**
 * The file requests as blocking {@link FileChannel} calls, one system call each where the JDK
 * allows it, with the results io_uring gives for the same request. Runs on the file threads; holds
 * no state of its own, so any number of them may call it at once.
 *
 * <p>Positional calls ({@code pread}, {@code pwrite}) fail with ESPIPE on pipes, FIFOs and
 * terminals, where io_uring ignores the offset; the first such failure marks the file as a stream
 * and from then on it is read and written at its current position, as io_uring does.
 *
 * <p>FileChannel refuses READ with APPEND, which open(2) and io_uring take (O_RDWR|O_APPEND). Such a
 * file gets two channels under one handle: an append-only one that writes (a positional write on
 * an O_APPEND descriptor appends, on Linux, as io_uring's does) and a read-only one that reads;
 * fsync, stat and close use both or the writer.
 *
 * <p>FileChannel has no positional scatter or gather call, so {@code readv} and {@code writev}
 * set the channel's position and make one {@code readv}/{@code writev}, holding the file's monitor
 * so that two vectored calls on one file do not move each other's position (positional calls do
 * not use the position and are not held up).
 */
final class FileCalls {
    private static final System.Logger LOG = System.getLogger("dev.proactor.nio");

    /** The kernel caps one read or write at this many bytes (MAX_RW_COUNT); io_uring's backend does too. */
    static final long MAX_RW = 0x7ffff000L;

    /**
     * {@code com.sun.nio.file.ExtendedOpenOption.DIRECT}, looked up by reflection because it lives in
     * jdk.unsupported, which the library does not require; null when that module is not in the boot
     * layer (an application on the module path that does not add it), and DIRECT then fails with
     * EOPNOTSUPP.
     */
    static final OpenOption DIRECT = directOption();

    private FileCalls() {}

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static OpenOption directOption() {
        try {
            Class<?> c = Class.forName("com.sun.nio.file.ExtendedOpenOption");
            return (OpenOption) Enum.valueOf((Class) c, "DIRECT");
        } catch (ReflectiveOperationException | LinkageError | IllegalArgumentException | ClassCastException e) {
            LOG.log(Level.DEBUG, () -> "ExtendedOpenOption.DIRECT unavailable (" + e + "): O_DIRECT opens fail with EOPNOTSUPP");
            return null;
        }
    }

    /** Performs {@code op}'s request, filling its result fields; throws what the JDK threw. */
    static void perform(NioOp op) throws IOException {
        ChannelTable.OpenFile f = op.file;
        switch (op.request) {
            case Request.Open o -> op.opened = open(o);
            case Request.OpenAt o -> op.opened = open(new Request.Open(ResolveWalk.resolve(f.path, o), noFollow(o.options()),
                    o.mode()));
            case Request.Read r -> op.result = read(f, r.position(), buffer(r.buffer()));
            case Request.Write w -> op.result = write(f, w.position(), buffer(w.buffer()));
            case Request.ReadV v -> op.result = readv(f, v.position(), buffers(v.buffers()));
            case Request.WriteV v -> op.result = writev(f, v.position(), buffers(v.buffers()));
            case Request.Fsync s -> f.channel.force(!s.dataOnly());
            case Request.Stat s -> op.attachment = NioStat.of(f);
            case Request.Close c -> f.close();
            case Request.Nop n -> throw new IllegalStateException("a nop never reaches a file thread");
            case Request.Timer t -> throw new IllegalStateException("a timer never reaches a file thread");
            case Request.Listen x -> throw new IllegalStateException("sockets never reach a file thread");
            case Request.Accept x -> throw new IllegalStateException("sockets never reach a file thread");
            case Request.Connect x -> throw new IllegalStateException("sockets never reach a file thread");
            case Request.Recv x -> throw new IllegalStateException("sockets never reach a file thread");
            case Request.AcceptEach x -> throw new IllegalStateException("sockets never reach a file thread");
            case Request.ReceiveEach x -> throw new IllegalStateException("sockets never reach a file thread");
            case Request.AwaitReadable x -> throw new IllegalStateException("sockets never reach a file thread");
            case Request.Send x -> throw new IllegalStateException("sockets never reach a file thread");
            case Request.SendV x -> throw new IllegalStateException("sockets never reach a file thread");
            case Request.RecvV x -> throw new IllegalStateException("sockets never reach a file thread");
            case Request.Shutdown x -> throw new IllegalStateException("sockets never reach a file thread");
            case Request.Splice x -> throw new IllegalStateException("sockets never reach a file thread");
            case Request.SocketOpt x -> throw new IllegalStateException("sockets never reach a file thread");
        }
    }

    /**
     * {@code options} with NOFOLLOW_LINKS: the walk resolved every link, so a link found at the end
     * now was put there since, and the open refuses it (ELOOP) rather than follow it unchecked.
     */
    private static Set<OpenOption> noFollow(Set<OpenOption> options) {
        Set<OpenOption> out = new HashSet<>(options);
        out.add(LinkOption.NOFOLLOW_LINKS);
        return out;
    }

    static ChannelTable.OpenFile open(Request.Open o) throws IOException {
        Set<OpenOption> options = new HashSet<>(o.options().size());
        if (o.options().contains(FileOpenOption.NON_BLOCKING)) {
            refuseWaitingOpen(o);
        }
        for (OpenOption opt : o.options()) {
            if (opt == FileOpenOption.NON_BLOCKING) {
                continue;
            }
            if (opt == FileOpenOption.DIRECT) {
                if (DIRECT == null) {
                    throw new UnsupportedOperationException("O_DIRECT needs the jdk.unsupported module");
                }
                options.add(DIRECT);
            } else {
                options.add(opt);
            }
        }
        Path path = o.path();
        boolean readAppend = options.contains(StandardOpenOption.READ) && options.contains(StandardOpenOption.APPEND);
        if (readAppend) {
            options.remove(StandardOpenOption.READ);
            options.add(StandardOpenOption.WRITE);
        }
        boolean creates = options.contains(StandardOpenOption.CREATE) || options.contains(StandardOpenOption.CREATE_NEW);
        // The mode applies at creation only, and under the umask, as open(2)'s does.
        FileChannel ch = creates && supportsPosix(path.getFileSystem())
                ? FileChannel.open(path, options, permissions(o.mode()))
                : FileChannel.open(path, options);
        boolean pipeLike;
        try {
            pipeLike = pipeLike(ch, path);
        } catch (RuntimeException e) {
            ch.close();
            throw e;
        }
        if (!readAppend) {
            return new ChannelTable.OpenFile(ch, null, path, pipeLike);
        }
        try {
            Set<OpenOption> readOnly = new HashSet<>();
            readOnly.add(StandardOpenOption.READ);
            if (options.contains(LinkOption.NOFOLLOW_LINKS)) {
                readOnly.add(LinkOption.NOFOLLOW_LINKS);
            }
            if (options.contains(DIRECT)) {
                readOnly.add(DIRECT);
            }
            return new ChannelTable.OpenFile(ch, FileChannel.open(path, readOnly), path, pipeLike);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * Whether the file {@code ch} opened is a pipe, FIFO, socket or character device. A descriptor
     * that cannot seek (a pipe, FIFO or terminal) says so itself; otherwise the type comes from the
     * path's attributes, looked up just after the open (a file renamed over the path in between is
     * taken for what the path names now; at worst a FIFO's reads then share the bounded pool, as
     * every read did before this check).
     */
    /**
     * A NON_BLOCKING open of something whose open may wait (a FIFO, a device, a socket): FileChannel
     * has no O_NONBLOCK, so it fails with EAGAIN instead of waiting. A path that does not exist yet
     * goes on to the open, which creates it or fails as it would have.
     */
    private static void refuseWaitingOpen(Request.Open o) throws IOException {
        LinkOption[] links = o.options().contains(LinkOption.NOFOLLOW_LINKS)
                ? new LinkOption[] {LinkOption.NOFOLLOW_LINKS} : new LinkOption[0];
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(o.path(), BasicFileAttributes.class, links);
        } catch (java.nio.file.NoSuchFileException e) {
            return;
        }
        if (a.isOther()) {
            throw new java.nio.file.FileSystemException(o.path().toString(), null,
                    "Resource temporarily unavailable");
        }
    }

    static boolean pipeLike(FileChannel ch, Path path) {
        try {
            ch.position();
        } catch (IOException e) {
            if (isIllegalSeek(e)) {
                return true;
            }
        }
        try {
            if (path.getFileSystem().supportedFileAttributeViews().contains("unix")) {
                int type = (Integer) Files.getAttribute(path, "unix:mode") & S_IFMT;
                return type == S_IFIFO || type == S_IFCHR || type == S_IFSOCK;
            }
            BasicFileAttributes a = Files.readAttributes(path, BasicFileAttributes.class);
            // Block devices are "other" too, but read like regular files; without the unix view
            // (Windows) there are none to tell apart.
            return a.isOther();
        } catch (IOException | UnsupportedOperationException | ClassCastException e) {
            LOG.log(Level.DEBUG, () -> "type of " + path + " unknown (" + e + "): taken for a regular file");
            return false;
        }
    }

    /** File types in st_mode (linux/stat.h; the same on every POSIX system the JDK runs on). */
    private static final int S_IFMT = 0170000;
    private static final int S_IFSOCK = 0140000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFIFO = 0010000;

    private static boolean supportsPosix(FileSystem fs) {
        return fs.supportedFileAttributeViews().contains("posix");
    }

    /** The permission bits of {@code mode}; set-id and sticky bits have no PosixFilePermission and are dropped. */
    static FileAttribute<Set<PosixFilePermission>> permissions(int mode) {
        Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] bits = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ,
        };
        for (int i = 0; i < bits.length; i++) {
            if ((mode & (1 << i)) != 0) {
                perms.add(bits[i]);
            }
        }
        return PosixFilePermissions.asFileAttribute(perms);
    }

    private static long read(ChannelTable.OpenFile f, long position, ByteBuffer dst) throws IOException {
        int n;
        if (!f.stream) {
            try {
                n = f.reader.read(dst, position);
                return Math.max(0, n);
            } catch (IOException e) {
                if (!isIllegalSeek(e)) {
                    throw e;
                }
                f.stream = true;
            }
        }
        n = f.reader.read(dst);
        // -1 is end of file: io_uring reports 0, and the core turns 0 into end of file.
        return Math.max(0, n);
    }

    private static long write(ChannelTable.OpenFile f, long position, ByteBuffer src) throws IOException {
        if (!f.stream) {
            try {
                return f.channel.write(src, position);
            } catch (IOException e) {
                if (!isIllegalSeek(e)) {
                    throw e;
                }
                f.stream = true;
            }
        }
        return f.channel.write(src);
    }

    private static long readv(ChannelTable.OpenFile f, long position, ByteBuffer[] dsts) throws IOException {
        synchronized (f) {
            positionUnlessStream(f.reader, f, position);
            return Math.max(0, f.reader.read(dsts));
        }
    }

    private static long writev(ChannelTable.OpenFile f, long position, ByteBuffer[] srcs) throws IOException {
        synchronized (f) {
            positionUnlessStream(f.channel, f, position);
            return f.channel.write(srcs);
        }
    }

    private static void positionUnlessStream(FileChannel ch, ChannelTable.OpenFile f, long position) throws IOException {
        if (f.stream) {
            return;
        }
        try {
            ch.position(position);
        } catch (IOException e) {
            if (!isIllegalSeek(e)) {
                throw e;
            }
            f.stream = true;
        }
    }

    private static boolean isIllegalSeek(IOException e) {
        return "Illegal seek".equals(e.getMessage());
    }

    /** A view of {@code segment}, capped at what one system call transfers. */
    static ByteBuffer buffer(MemorySegment segment) {
        long n = Math.min(segment.byteSize(), MAX_RW);
        return (n == segment.byteSize() ? segment : segment.asSlice(0, n)).asByteBuffer();
    }

    private static ByteBuffer[] buffers(MemorySegment[] segments) {
        ByteBuffer[] out = new ByteBuffer[segments.length];
        for (int i = 0; i < segments.length; i++) {
            out[i] = buffer(segments[i]);
        }
        return out;
    }
}
