package dev.proactor.cli.serve;

import dev.proactor.AsyncFile;
import dev.proactor.FileOpenOption;
import dev.proactor.FileStat;
import dev.proactor.Operation;
import dev.proactor.OperationFailedException;
import dev.proactor.ProactorException;
import dev.proactor.Proactor;
import dev.proactor.ResolveOption;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Maps a request's decoded path segments to an open file inside the served directory, or to
 * nothing. Each proactor holds the served directory open, and a request's path is opened relative
 * to it with {@link Proactor#openFileAt} under {@link ResolveOption#BENEATH} and
 * {@link ResolveOption#NO_MAGICLINKS}, then {@code statx}-ed through the descriptor: on the common
 * path there is no blocking call, and containment is the kernel's (openat2's RESOLVE_BENEATH, on
 * io_uring and its fallback), enforced during the walk itself, so no rename racing the request can
 * get past it. The segments already passed the parser (no dot segments, separators, NUL or
 * backslash); a relative symbolic link that stays inside is followed, one that climbs out is
 * refused.
 *
 * <p><b>The EXDEV fallback.</b> RESOLVE_BENEATH refuses every absolute symbolic link, even one that
 * points back inside the root, with the same EXDEV as an escape. On EXDEV, and only then, the path
 * is resolved as before openat2 was used: its real path, taken on one of the server's
 * {@link BlockingWork} threads ({@code realpath}, a blocking call, never made on the dispatcher), must
 * lie under the root's real path, or the answer is "not found"; the real path, made relative to the root, is then opened from the held directory under
 * {@code BENEATH} and {@link ResolveOption#NO_SYMLINKS}. The kernel therefore still enforces
 * containment of what is opened, and a link swapped in between the real path and the open is
 * refused (ELOOP: "not found") rather than followed. A tree whose links are absolute and point
 * inside keeps working, at the cost of that {@code realpath} per request (and per check of a
 * cached file).
 *
 * <p>On the portable backend the rules are an emulated walk ({@link ResolveOption}): a check made
 * with separate calls before the open, not a guarantee against a concurrent change to the tree.
 *
 * <p>The open is non-blocking ({@link FileOpenOption#NON_BLOCKING}), so a FIFO, whose plain open
 * would wait for a writer, opens at once (or is refused with EAGAIN on the portable backend);
 * anything but a regular file or a directory is closed and "not found".
 */
final class PathResolver {
    /** The rules every request path is opened under. */
    static final Set<ResolveOption> RULES = Set.copyOf(EnumSet.of(ResolveOption.BENEATH, ResolveOption.NO_MAGICLINKS));
    /** The rules a real path found by the EXDEV fallback is opened under: it holds no link left to follow. */
    static final Set<ResolveOption> REAL_PATH_RULES = Set.copyOf(EnumSet.of(ResolveOption.BENEATH,
            ResolveOption.NO_SYMLINKS));
    private static final Set<OpenOption> OPEN = Set.of(StandardOpenOption.READ, FileOpenOption.NON_BLOCKING);

    private final Path root;
    private final BlockingWork blocking;
    /**
     * Per proactor (member index), the proactor and the served directory open on it: filled by
     * {@link #open} before the first connection is accepted, unchanged after.
     */
    private final List<Proactor> proactors = new ArrayList<>();
    private final List<AsyncFile> directories = new ArrayList<>();
    private volatile boolean closed;
    private final LongAdder fallbacks = new LongAdder();

    /**
     * @param root the served directory; its real path is taken once here
     * @param blocking where the EXDEV fallback takes its real path
     */
    PathResolver(Path root, BlockingWork blocking) throws IOException {
        this.blocking = blocking;
        this.root = root.toRealPath();
        if (!Files.isDirectory(this.root)) {
            throw new IOException(root + " is not a directory");
        }
    }

    Path root() {
        return root;
    }

    /**
     * Opens the served directory on each of {@code members}, in order (member {@code i} resolves
     * from the descriptor opened on {@code members.get(i)}); on a failure closes what it opened.
     */
    void open(List<Proactor> members) throws IOException, InterruptedException {
        try {
            for (Proactor p : members) {
                directories.add(p.openFile(root, StandardOpenOption.READ).await());
                proactors.add(p);
            }
        } catch (ProactorException e) {
            close().forEach(c -> c.onComplete((v, f) -> { }));
            throw new IOException("cannot open " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Closes the served directory's descriptors; files opened from them stay open. A resolution
     * begun afterwards (by a connection the stop could not end) fails: 500.
     */
    List<Operation<Void>> close() {
        closed = true;
        return directories.stream().map(AsyncFile::closeAsync).toList();
    }

    /** Where a path led. */
    sealed interface Resolved {}

    /** Missing, outside the root, or neither a regular file nor a directory: 404. */
    record Missing() implements Resolved {}

    /** The file system refused to look: 403. */
    record Forbidden() implements Resolved {}

    /** The server's own failure (no descriptor or memory to spare, or a failure that is no errno): 500. */
    record Failed() implements Resolved {}

    /**
     * A regular file, open on the member's proactor, and its stat as of the open: the caller owns
     * the file and closes it.
     */
    record RegularFile(AsyncFile file, FileStat stat) implements Resolved {}

    /** A directory at this path (under the root, as the request named it); nothing held open. */
    record Directory(Path path) implements Resolved {}

    private static final Missing MISSING = new Missing();
    private static final Forbidden FORBIDDEN = new Forbidden();
    private static final Failed FAILED = new Failed();

    /**
     * Opens the file {@code segments} name on member {@code member}'s proactor and gives
     * {@code done} what it found, in a completion handler (after the EXDEV fallback, whose
     * {@code realpath} runs on a {@link BlockingWork} thread, the open's handler too).
     *
     * @param asDirectory the request path ended in a slash: only a directory answers it, and a
     *     regular file is "not found", as open(2) fails with ENOTDIR for "file/" and as nginx answers
     *     (Java's {@code Path} drops a trailing slash, so the check is made here)
     */
    void resolve(int member, List<String> segments, boolean asDirectory, Consumer<Resolved> done) {
        if (segments.isEmpty()) {
            done.accept(new Directory(root));
            return;
        }
        String relative = segments.size() == 1 ? segments.get(0) : String.join("/", segments);
        Path path;
        try {
            path = Path.of(relative);
        } catch (RuntimeException e) {
            done.accept(MISSING); // a name the file system cannot represent
            return;
        }
        if (closed) {
            done.accept(FAILED);
            return;
        }
        Proactor proactor = proactors.get(member);
        AsyncFile directory = directories.get(member);
        proactor.openFileAt(directory, path, RULES, OPEN, 0).onComplete((file, failure) -> {
            if (failure == null) {
                inspect(file, path, asDirectory, done);
            } else if (failure instanceof OperationFailedException f && f.errnoName().equals("EXDEV")) {
                fallbacks.increment();
                offload(() -> throughRealPath(proactor, directory, path, asDirectory, done), done);
            } else {
                done.accept(refused(failure));
            }
        });
    }

    /** Runs {@code step} on a {@link BlockingWork} thread; a step that cannot run or fails unexpectedly is a 500. */
    private void offload(Runnable step, Consumer<Resolved> done) {
        try {
            blocking.execute(() -> {
                try {
                    step.run();
                } catch (RuntimeException e) {
                    done.accept(FAILED);
                }
            });
        } catch (RejectedExecutionException e) {
            done.accept(FAILED); // the server stopped
        }
    }

    /**
     * The EXDEV fallback, on a {@link BlockingWork} thread: an absolute link on the way, or a
     * relative one climbing out. Takes the real path; outside the root it is "not found", inside it is opened under
     * {@link #REAL_PATH_RULES}, so a link swapped in since is refused, not followed.
     */
    private void throughRealPath(Proactor proactor, AsyncFile directory, Path path, boolean asDirectory,
            Consumer<Resolved> done) {
        Path real;
        try {
            blocking.blocking("realpath");
            real = root.resolve(path).toRealPath();
        } catch (AccessDeniedException e) {
            done.accept(FORBIDDEN);
            return;
        } catch (IOException | RuntimeException e) {
            done.accept(MISSING); // gone, a loop, a file used as a directory: as the open would say
            return;
        }
        if (!real.startsWith(root)) {
            done.accept(MISSING); // out of the tree: "not found", and where it leads is not said
            return;
        }
        Path inside = real.equals(root) ? Path.of(".") : root.relativize(real);
        proactor.openFileAt(directory, inside, REAL_PATH_RULES, OPEN, 0).onComplete((file, failure) -> {
            if (failure == null) {
                inspect(file, path, asDirectory, done);
            } else {
                done.accept(refused(failure)); // EXDEV or ELOOP here: the tree changed since the real path
            }
        });
    }

    /** Stats what opened and keeps it only if it answers the request as a regular file. */
    private void inspect(AsyncFile file, Path path, boolean asDirectory, Consumer<Resolved> done) {
        file.stat().onComplete((stat, f) -> {
            if (f != null || !stat.isRegularFile() || asDirectory) {
                file.closeAsync();
                done.accept(f != null ? FAILED : stat.isDirectory() ? new Directory(root.resolve(path)) : MISSING);
                return;
            }
            done.accept(new RegularFile(file, stat));
        });
    }

    /**
     * What a failed open answers. ENOENT, ENOTDIR (a file used as a directory), EXDEV (out of the
     * root), ELOOP, ENAMETOOLONG, EAGAIN (a FIFO on the portable backend): all are "not found" to
     * the client, who learns nothing of the tree. EACCES is "forbidden". A shortage of descriptors
     * or memory, or a failure that is no errno, is the server's own: 500, never a cacheable 404.
     */
    private static Resolved refused(Throwable failure) {
        if (!(failure instanceof OperationFailedException f)) {
            return FAILED;
        }
        return switch (f.errnoName()) {
            case "EACCES" -> FORBIDDEN;
            case "EMFILE", "ENFILE", "ENOMEM" -> FAILED;
            default -> MISSING;
        };
    }

    /** Resolutions that took the EXDEV fallback so far. */
    long fallbacks() {
        return fallbacks.sum();
    }

    /**
     * The real path of {@code directory} (a {@link Directory#path()}) if it still lies under the
     * root, for its listing, which reads the tree by path; null if it now leads out. A blocking
     * call, made only when a listing is rendered, on a {@link BlockingWork} thread.
     *
     * @throws IOException as {@link Path#toRealPath} does
     */
    Path listable(Path directory) throws IOException {
        blocking.blocking("realpath");
        Path real = directory.toRealPath();
        return real.startsWith(root) ? real : null;
    }
}
