package dev.proactor.cli.serve;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Maps a request's decoded path segments to a file inside the served directory, or to nothing.
 * The segments already passed the parser (no dot segments, separators, NUL or backslash); this
 * class resolves symbolic links to the real path and refuses anything whose real path is not
 * inside the root, so a link that points out is "not found", like a missing file.
 *
 * <p>The real-path resolution and the type check are blocking metadata calls ({@code realpath},
 * {@code lstat}), made on the worker handling the request: the library offers asynchronous open
 * and stat of a file, not path resolution. They also decide the file's type before it is opened,
 * so that a FIFO, whose open would wait for a writer, is never opened at all.
 */
final class PathResolver {
    private final Path root;

    /** @param root the served directory; its real path is taken once here */
    PathResolver(Path root) throws IOException {
        this.root = root.toRealPath();
        if (!Files.isDirectory(this.root)) {
            throw new IOException(root + " is not a directory");
        }
    }

    Path root() {
        return root;
    }

    /** Where a path led. */
    sealed interface Resolved {}

    /** Missing, outside the root, or neither a regular file nor a directory: 404. */
    record Missing() implements Resolved {}

    /** The file system refused to look: 403. */
    record Forbidden() implements Resolved {}

    /**
     * A regular file at this real path, with its attributes as {@code lstat} read them then (what
     * {@link FileCache} compares to tell whether the path still leads to the same file).
     */
    record RegularFile(Path real, BasicFileAttributes attributes) implements Resolved {}

    /** A directory at this real path. */
    record Directory(Path real) implements Resolved {}

    private static final Missing MISSING = new Missing();

    /**
     * @param asDirectory the request path ended in a slash: only a directory answers it, and a
     *     regular file is "not found", as open(2) fails with ENOTDIR for "file/" and as nginx answers
     *     (Java's {@code Path} drops a trailing slash, so the check is made here)
     */
    Resolved resolve(List<String> segments, boolean asDirectory) {
        Path p = root;
        for (String s : segments) {
            p = p.resolve(s);
        }
        Path real;
        BasicFileAttributes attributes;
        try {
            real = p.toRealPath();
            if (!real.startsWith(root)) {
                return MISSING;
            }
            attributes = Files.readAttributes(real, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (AccessDeniedException e) {
            return new Forbidden();
        } catch (IOException | RuntimeException e) {
            // NoSuchFile, NotDirectory (a file used as a directory), ELOOP, a name the file system
            // cannot represent: all are "not found" to the client, who learns nothing of the tree.
            return MISSING;
        }
        if (attributes.isDirectory()) {
            return new Directory(real);
        }
        return attributes.isRegularFile() && !asDirectory ? new RegularFile(real, attributes) : MISSING;
    }
}
