package dev.proactor.internal.nio;

import dev.proactor.ResolveOption;
import dev.proactor.internal.spi.Request;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Set;

/**
 * The portable emulation of {@code openat2(2)}'s path walk: resolves a path from a directory one
 * component at a time, following symbolic links itself so that each {@link ResolveOption} is
 * applied where the kernel applies it, and returns a path with no link left in it. Stateless; runs
 * on the file threads.
 *
 * <p>It is a check, not a guarantee: the kernel walks and opens in one call, holding each step,
 * while this walk reads the tree with separate calls and the open comes after, so a rename or a
 * new link made meanwhile can slip past it (the open refuses a final link, narrowing the window to
 * the directories above it). The directory is taken by the path it was opened with, where the
 * kernel holds its descriptor: a directory renamed since is not followed.
 */
final class ResolveWalk {
    private ResolveWalk() {}

    /** The kernel's bound on links followed in one resolution (MAXSYMLINKS, include/linux/namei.h). */
    private static final int MAX_LINKS = 40;

    /**
     * The path {@code o} leads to from the directory at {@code directory}, every link resolved.
     *
     * @throws FileSystemException with the kernel's text: EXDEV for an escape under BENEATH, ELOOP
     *     for a link NO_SYMLINKS or NO_MAGICLINKS refuse, or past {@value #MAX_LINKS} links
     */
    static Path resolve(Path directory, Request.OpenAt o) throws IOException {
        Set<ResolveOption> rules = o.resolve();
        boolean beneath = rules.contains(ResolveOption.BENEATH);
        boolean noFollowLast = o.options().contains(LinkOption.NOFOLLOW_LINKS);
        if (o.path().toString().isEmpty()) {
            throw new java.nio.file.NoSuchFileException(o.path().toString());
        }
        Path root = directory.toRealPath();
        Deque<String> todo = new ArrayDeque<>();
        Path cur = start(root, o.path().toString(), beneath, todo);
        int links = 0;
        while (!todo.isEmpty()) {
            String c = todo.pollFirst();
            if (c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                if (beneath && cur.equals(root)) {
                    throw escape(o);
                }
                cur = cur.getParent() != null ? cur.getParent() : cur;
                continue;
            }
            Path next = cur.resolve(c);
            BasicFileAttributes a;
            try {
                a = Files.readAttributes(next, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            } catch (java.nio.file.NoSuchFileException e) {
                // The open reports it (ENOENT, or ENOTDIR under a file), or creates the last one.
                cur = next;
                continue;
            }
            if (!a.isSymbolicLink()) {
                cur = next;
                continue;
            }
            if (rules.contains(ResolveOption.NO_SYMLINKS) || rules.contains(ResolveOption.NO_MAGICLINKS)
                    && cur.startsWith("/proc") || todo.isEmpty() && noFollowLast || ++links > MAX_LINKS) {
                throw new FileSystemException(o.path().toString(), null, "Too many levels of symbolic links");
            }
            String target = Files.readSymbolicLink(next).toString();
            Deque<String> rest = new ArrayDeque<>();
            // The link's target resolves from the link's own directory, cur (BENEATH refuses an absolute one).
            cur = start(cur, target, beneath, rest);
            while (!rest.isEmpty()) {
                todo.addFirst(rest.pollLast());
            }
        }
        return cur;
    }

    /**
     * Splits {@code path} into {@code into} and returns where its walk starts: {@code from} for a
     * relative path, the file system's root for an absolute one, which BENEATH refuses.
     */
    private static Path start(Path from, String path, boolean beneath, Deque<String> into) throws IOException {
        boolean absolute = path.startsWith("/");
        if (absolute && beneath) {
            throw new FileSystemException(path, null, "Invalid cross-device link");
        }
        for (String c : path.split("/")) {
            if (!c.isEmpty()) {
                into.addLast(c);
            }
        }
        return absolute ? from.getRoot() : from;
    }

    private static FileSystemException escape(Request.OpenAt o) {
        return new FileSystemException(o.path().toString(), null, "Invalid cross-device link");
    }
}
