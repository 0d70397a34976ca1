package dev.proactor.nio2;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.Set;
import java.util.stream.StreamSupport;

/**
 * The platform's default file system seen through {@link ProactorFileSystemProvider}: the same
 * files, stores and separators, with paths that are {@link ProactorPath}s. It cannot be closed, as
 * the default file system cannot. Safe to use from any thread.
 */
final class ProactorFileSystem extends FileSystem {

    private final ProactorFileSystemProvider provider;
    private final FileSystem delegate;

    ProactorFileSystem(ProactorFileSystemProvider provider, FileSystem delegate) {
        this.provider = provider;
        this.delegate = delegate;
    }

    Path wrap(Path path) {
        return path == null ? null : new ProactorPath(this, path);
    }

    @Override public ProactorFileSystemProvider provider() { return provider; }
    @Override public void close() throws IOException { delegate.close(); }
    @Override public boolean isOpen() { return delegate.isOpen(); }
    @Override public boolean isReadOnly() { return delegate.isReadOnly(); }
    @Override public String getSeparator() { return delegate.getSeparator(); }
    @Override public Iterable<FileStore> getFileStores() { return delegate.getFileStores(); }
    @Override public Set<String> supportedFileAttributeViews() { return delegate.supportedFileAttributeViews(); }
    @Override public Path getPath(String first, String... more) { return wrap(delegate.getPath(first, more)); }
    @Override public UserPrincipalLookupService getUserPrincipalLookupService() { return delegate.getUserPrincipalLookupService(); }

    @Override
    public Iterable<Path> getRootDirectories() {
        return () -> StreamSupport.stream(delegate.getRootDirectories().spliterator(), false).map(this::wrap).iterator();
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        PathMatcher matcher = delegate.getPathMatcher(syntaxAndPattern);
        return path -> matcher.matches(ProactorPath.unwrap(path));
    }

    @Override
    public WatchService newWatchService() throws IOException {
        return new ProactorWatchService(this, delegate.newWatchService());
    }
}
