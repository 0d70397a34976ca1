package dev.proactor.nio2;

import static dev.proactor.nio2.ProactorPath.unwrap;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.spi.FileSystemProvider;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;

/**
 * The platform's {@code file} provider with one change: {@link #newAsynchronousFileChannel} opens a
 * {@link ProactorFileChannel}, whose reads and writes run on io_uring (or on the portable backend,
 * as {@code dev.proactor.nio2.backend} says). Everything else is the platform's provider's doing.
 *
 * <p>Installed for the whole program with
 * {@code -Djava.nio.file.spi.DefaultFileSystemProvider=dev.proactor.nio2.ProactorFileSystemProvider}
 * (the JDK then calls the public constructor with its own provider), so that unchanged
 * {@code AsynchronousFileChannel.open(Path.of(...))} code gets this channel: for that every path of
 * the default file system must lead here, which is why the file system and its paths are wrapped
 * ({@link ProactorFileSystem}, {@link ProactorPath}) and every delegated call unwraps them. Without
 * the flag, {@link #openAsynchronousFileChannel} opts in one channel at a time. Safe to use from any
 * thread.
 */
public final class ProactorFileSystemProvider extends FileSystemProvider {

    private final FileSystemProvider delegate;
    private final ProactorFileSystem fileSystem;

    /**
     * Wraps the platform's provider, as {@code java.nio.file.spi.DefaultFileSystemProvider} requires.
     * Given a provider of this class, wraps the platform's provider that one wraps.
     */
    public ProactorFileSystemProvider(FileSystemProvider platform) {
        this.delegate = platform instanceof ProactorFileSystemProvider p ? p.delegate : platform;
        this.fileSystem = new ProactorFileSystem(this, delegate.getFileSystem(URI.create("file:///")));
    }

    /**
     * Opens a Proactor-backed channel on a path of the default file system, with the options and
     * executor {@link AsynchronousFileChannel#open(Path, Set, ExecutorService, FileAttribute[])}
     * takes; for programs that opt in per channel without the system-wide flag.
     */
    public static AsynchronousFileChannel openAsynchronousFileChannel(Path path, Set<? extends OpenOption> options,
            ExecutorService executor, FileAttribute<?>... attrs) throws IOException {
        return new ProactorFileSystemProvider(java.nio.file.FileSystems.getDefault().provider())
                .newAsynchronousFileChannel(path, options, executor, attrs);
    }

    @Override
    public AsynchronousFileChannel newAsynchronousFileChannel(Path path, Set<? extends OpenOption> options,
            ExecutorService executor, FileAttribute<?>... attrs) throws IOException {
        return ProactorFileChannel.open(delegate, unwrap(path), options, executor, attrs);
    }

    @Override public String getScheme() { return delegate.getScheme(); }
    @Override public FileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException { return delegate.newFileSystem(uri, env); }
    @Override public FileSystem newFileSystem(Path path, Map<String, ?> env) throws IOException { return delegate.newFileSystem(unwrap(path), env); }

    @Override
    public FileSystem getFileSystem(URI uri) {
        delegate.getFileSystem(uri);
        return fileSystem;
    }

    @Override public Path getPath(URI uri) { return fileSystem.wrap(delegate.getPath(uri)); }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return delegate.newByteChannel(unwrap(path), options, attrs);
    }

    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        return delegate.newFileChannel(unwrap(path), options, attrs);
    }

    @Override public InputStream newInputStream(Path path, OpenOption... options) throws IOException { return delegate.newInputStream(unwrap(path), options); }
    @Override public OutputStream newOutputStream(Path path, OpenOption... options) throws IOException { return delegate.newOutputStream(unwrap(path), options); }

    /** The platform's stream of entries, each entry wrapped; the filter sees wrapped paths too. */
    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        DirectoryStream<Path> entries = delegate.newDirectoryStream(unwrap(dir), p -> filter.accept(fileSystem.wrap(p)));
        return new DirectoryStream<>() {
            @Override
            public Iterator<Path> iterator() {
                Iterator<Path> it = entries.iterator();
                return new Iterator<>() {
                    @Override public boolean hasNext() { return it.hasNext(); }
                    @Override public Path next() { return fileSystem.wrap(it.next()); }
                };
            }

            @Override
            public void close() throws IOException {
                entries.close();
            }
        };
    }

    @Override public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException { delegate.createDirectory(unwrap(dir), attrs); }
    @Override public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException { delegate.createSymbolicLink(unwrap(link), unwrap(target), attrs); }
    @Override public void createLink(Path link, Path existing) throws IOException { delegate.createLink(unwrap(link), unwrap(existing)); }
    @Override public Path readSymbolicLink(Path link) throws IOException { return fileSystem.wrap(delegate.readSymbolicLink(unwrap(link))); }
    @Override public void delete(Path path) throws IOException { delegate.delete(unwrap(path)); }
    @Override public boolean deleteIfExists(Path path) throws IOException { return delegate.deleteIfExists(unwrap(path)); }
    @Override public void copy(Path source, Path target, CopyOption... options) throws IOException { delegate.copy(unwrap(source), unwrap(target), options); }
    @Override public void move(Path source, Path target, CopyOption... options) throws IOException { delegate.move(unwrap(source), unwrap(target), options); }
    @Override public boolean isSameFile(Path path, Path path2) throws IOException { return delegate.isSameFile(unwrap(path), unwrap(path2)); }
    @Override public boolean isHidden(Path path) throws IOException { return delegate.isHidden(unwrap(path)); }
    @Override public FileStore getFileStore(Path path) throws IOException { return delegate.getFileStore(unwrap(path)); }
    @Override public void checkAccess(Path path, AccessMode... modes) throws IOException { delegate.checkAccess(unwrap(path), modes); }
    @Override public boolean exists(Path path, LinkOption... options) { return delegate.exists(unwrap(path), options); }
    @Override public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) { return delegate.getFileAttributeView(unwrap(path), type, options); }
    @Override public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options) throws IOException { return delegate.readAttributes(unwrap(path), type, options); }
    @Override public <A extends BasicFileAttributes> A readAttributesIfExists(Path path, Class<A> type, LinkOption... options) throws IOException { return delegate.readAttributesIfExists(unwrap(path), type, options); }
    @Override public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options) throws IOException { return delegate.readAttributes(unwrap(path), attributes, options); }
    @Override public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException { delegate.setAttribute(unwrap(path), attribute, value, options); }
}
