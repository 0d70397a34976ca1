package dev.proactor.cli;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;

/**
 * Turns the paths named on the command line into the ordered list of files to hash. Runs on the
 * calling thread with ordinary blocking calls: listing directories is not what {@code hash} is
 * about, and the list (with its total size) is wanted before the first read for the progress bar.
 *
 * <p>The order is deterministic: the arguments in the order given; inside a directory, entries
 * sorted by name and each subdirectory's contents where its name sorts (depth first). Inside a
 * tree only regular files are taken, seen without following links, so a symbolic link never leads
 * out of the tree (nor into a loop); links, FIFOs, sockets and devices are skipped quietly. A named
 * argument that is not a directory is taken as a file whatever it is, the way {@code sha256sum}
 * takes it, except that one that exists and is not a regular file (a FIFO, a device) is reported,
 * because reading it might never end.
 */
final class HashTargets {
    private HashTargets() {}

    /**
     * A file to hash, or a path that failed before any read.
     *
     * @param path the path as it is printed
     * @param size the size seen while listing, for the progress bar; 0 when unknown
     * @param error why the path cannot be hashed, or null
     */
    record Target(Path path, long size, String error) {}

    static List<Target> list(List<Path> arguments) {
        List<Target> targets = new ArrayList<>();
        for (Path argument : arguments) {
            BasicFileAttributes attrs;
            try {
                attrs = Files.readAttributes(argument, BasicFileAttributes.class);
            } catch (IOException e) {
                // Missing or dangling: let the asynchronous open find out and say why.
                targets.add(new Target(argument, 0, null));
                continue;
            }
            if (attrs.isDirectory()) {
                walk(argument, targets);
            } else if (attrs.isRegularFile()) {
                targets.add(new Target(argument, attrs.size(), null));
            } else {
                targets.add(new Target(argument, 0, "not a regular file"));
            }
        }
        return targets;
    }

    private static void walk(Path root, List<Target> targets) {
        Deque<Object> pending = new ArrayDeque<>(); // Path of a directory to list, or a Target
        pending.push(root);
        while (!pending.isEmpty()) {
            Object next = pending.pop();
            if (next instanceof Target t) {
                targets.add(t);
                continue;
            }
            Path dir = (Path) next;
            List<Path> children = new ArrayList<>();
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                stream.forEach(children::add);
            } catch (IOException | RuntimeException e) {
                targets.add(new Target(dir, 0, reason(e)));
                continue;
            }
            children.sort(Comparator.comparing(p -> p.getFileName().toString()));
            List<Object> ordered = new ArrayList<>(children.size());
            for (Path child : children) {
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException e) {
                    continue; // removed since the listing: not there to hash
                } catch (IOException e) {
                    ordered.add(new Target(child, 0, reason(e)));
                    continue;
                }
                if (attrs.isDirectory()) {
                    ordered.add(child);
                } else if (attrs.isRegularFile()) {
                    ordered.add(new Target(child, attrs.size(), null));
                }
            }
            for (int i = ordered.size() - 1; i >= 0; i--) {
                pending.push(ordered.get(i));
            }
        }
    }

    /** The reason for a failed listing, worded like the C library's messages. */
    static String reason(Throwable e) {
        if (e instanceof java.io.UncheckedIOException u) {
            e = u.getCause();
        }
        return switch (e) {
            case AccessDeniedException a -> "Permission denied";
            case NoSuchFileException n -> "No such file or directory";
            case NotDirectoryException n -> "Not a directory";
            default -> {
                String m = e.getMessage();
                yield m == null ? e.getClass().getSimpleName() : m;
            }
        };
    }
}
