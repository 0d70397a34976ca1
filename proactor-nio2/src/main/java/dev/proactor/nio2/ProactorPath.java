package dev.proactor.nio2;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Objects;

/**
 * A path of {@link ProactorFileSystem}: the platform's path, wrapped so that its
 * {@link #getFileSystem()} leads to {@link ProactorFileSystemProvider} (which is how
 * {@code AsynchronousFileChannel.open(path)} finds it). Every method answers what the platform's
 * path answers, paths in and out unwrapped and wrapped. Immutable and safe to share between threads.
 */
final class ProactorPath implements Path {

    private final ProactorFileSystem fs;
    private final Path delegate;

    ProactorPath(ProactorFileSystem fs, Path delegate) {
        this.fs = fs;
        this.delegate = Objects.requireNonNull(delegate);
    }

    /** The platform's path this one wraps. */
    Path delegate() {
        return delegate;
    }

    /**
     * The platform's path for {@code path}: unwrapped if it is one of ours, as it is if it is the
     * platform's own.
     *
     * @throws ProviderMismatchException for a path of any other provider
     */
    static Path unwrap(Path path) {
        Objects.requireNonNull(path, "path");
        if (path instanceof ProactorPath p) {
            return p.delegate;
        }
        return path;
    }

    private Path wrap(Path p) {
        return p == null ? null : new ProactorPath(fs, p);
    }

    @Override public ProactorFileSystem getFileSystem() { return fs; }
    @Override public boolean isAbsolute() { return delegate.isAbsolute(); }
    @Override public Path getRoot() { return wrap(delegate.getRoot()); }
    @Override public Path getFileName() { return wrap(delegate.getFileName()); }
    @Override public Path getParent() { return wrap(delegate.getParent()); }
    @Override public int getNameCount() { return delegate.getNameCount(); }
    @Override public Path getName(int index) { return wrap(delegate.getName(index)); }
    @Override public Path subpath(int begin, int end) { return wrap(delegate.subpath(begin, end)); }
    @Override public boolean startsWith(Path other) { return delegate.startsWith(unwrap(other)); }
    @Override public boolean endsWith(Path other) { return delegate.endsWith(unwrap(other)); }
    @Override public Path normalize() { return wrap(delegate.normalize()); }
    @Override public Path resolve(Path other) { return wrap(delegate.resolve(unwrap(other))); }
    @Override public Path relativize(Path other) { return wrap(delegate.relativize(unwrap(other))); }
    @Override public URI toUri() { return delegate.toUri(); }
    @Override public Path toAbsolutePath() { return wrap(delegate.toAbsolutePath()); }
    @Override public Path toRealPath(LinkOption... options) throws IOException { return wrap(delegate.toRealPath(options)); }
    /**
     * A {@code File} for the same name. Not the platform path's {@code toFile()}: once this file
     * system is the default, the platform's is not, and its paths refuse.
     */
    @Override public File toFile() { return new File(delegate.toString()); }
    @Override public int compareTo(Path other) { return delegate.compareTo(unwrap(other)); }

    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers)
            throws IOException {
        if (!(watcher instanceof ProactorWatchService w)) {
            throw new ProviderMismatchException("not a watch service of this file system");
        }
        return w.wrap(delegate.register(w.delegate(), events, modifiers));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ProactorPath p && p.fs == fs && p.delegate.equals(delegate);
    }

    @Override public int hashCode() { return delegate.hashCode(); }
    @Override public String toString() { return delegate.toString(); }
}
