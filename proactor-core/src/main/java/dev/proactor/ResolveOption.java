package dev.proactor;

/**
 * How {@link Proactor#openFileAt} resolves a path relative to an open directory: the restrictions
 * of {@code openat2(2)}'s {@code resolve} field ({@code RESOLVE_*} in
 * {@code include/uapi/linux/openat2.h}, Linux 5.6).
 *
 * <p>On io_uring (and its per-operation fallback, the {@code openat2} system call) the kernel
 * enforces them during the path walk itself, so no rename or new link made meanwhile can defeat
 * them. The portable backend emulates them: it walks the path one component at a time with
 * {@code java.nio.file} calls, applying the same rules, then opens the result without following a
 * final link; a concurrent change to the tree between the walk and the open can slip past it, so
 * there it is a check, not a guarantee.
 */
public enum ResolveOption {
    /**
     * {@code RESOLVE_BENEATH}: fail with EXDEV if resolution would leave the directory: an absolute
     * path, a {@code ..} above it, or a symbolic link whose target is absolute (even one that
     * points back inside) or climbs out. Relative links that stay inside are followed.
     */
    BENEATH,
    /** {@code RESOLVE_NO_SYMLINKS}: fail with ELOOP at any symbolic link, the last component included. */
    NO_SYMLINKS,
    /**
     * {@code RESOLVE_NO_MAGICLINKS}: fail with ELOOP at a procfs "magic link" such as
     * {@code /proc/self/fd/N}. The portable backend cannot tell one from a plain link and refuses
     * every symbolic link inside {@code /proc} instead.
     */
    NO_MAGICLINKS
}
