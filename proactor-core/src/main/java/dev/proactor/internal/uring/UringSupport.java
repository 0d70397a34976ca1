package dev.proactor.internal.uring;

import dev.proactor.internal.uring.ffi.IoUringConstants;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether io_uring can be used in this process, and what the kernel offers, decided once (on
 * first use) by opening a small ring with {@link RingOptions#defaults()}' flags and probing it.
 * Thread-safe; no method throws.
 *
 * <p>Off when: the system property {@value #DISABLE_PROPERTY} is {@code true}; the platform is
 * not Linux on x86_64 or aarch64; the FFM downcalls cannot be linked (for example without
 * native access); or {@code io_uring_setup} fails, in which case the cause names the sysctl,
 * seccomp policy or memlock limit responsible.
 */
public final class UringSupport {

    /** System property that turns io_uring off when {@code true}. */
    public static final String DISABLE_PROPERTY = "proactor.uring.disable";

    /** Features the backend cannot do without. */
    static final int REQUIRED_FEATURES = IoUringConstants.IORING_FEAT_NODROP | IoUringConstants.IORING_FEAT_EXT_ARG;

    /** Small, so the check costs little locked memory; the flags are what matter. */
    private static final int PROBE_RING_ENTRIES = 8;

    private UringSupport() {
    }

    /** Results of the one-time check; immutable. */
    record Result(Optional<String> cause, int setupFlags, int features, Probe probe, Throwable error) {
        Result(Optional<String> cause, int setupFlags, int features, Probe probe) {
            this(cause, setupFlags, features, probe, null);
        }
    }

    /** Initialised on first use, by the JVM's class-initialisation lock: at most one check. */
    private static final class Holder {
        static final Result RESULT = check();
    }

    /** True when rings can be opened here. */
    public static boolean isAvailable() {
        return Holder.RESULT.cause().isEmpty();
    }

    /** Why io_uring is off, in one sentence; empty when {@link #isAvailable()}. */
    public static Optional<String> unavailabilityCause() {
        return Holder.RESULT.cause();
    }

    /**
     * The exception behind {@link #unavailabilityCause()}, when a failure rather than a finding
     * turned io_uring off (denied native access, a downcall that cannot be linked); empty otherwise.
     */
    public static Optional<Throwable> unavailabilityError() {
        return Optional.ofNullable(Holder.RESULT.error());
    }

    /** The kernel release ({@code /proc/sys/kernel/osrelease}, else {@code os.version}). */
    public static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.version", "unknown");
        }
    }

    /** The IORING_FEAT_* mask of the probe ring; 0 when unavailable. */
    public static int features() {
        return Holder.RESULT.features();
    }

    /** The feature bits by name (e.g. {@code NODROP}, {@code EXT_ARG}); empty when unavailable. */
    public static List<String> featureNames() {
        return UringNames.featureNames(Holder.RESULT.features());
    }

    /** The IORING_SETUP_* flags the kernel accepted for the default options; 0 when unavailable. */
    public static int setupFlags() {
        return Holder.RESULT.setupFlags();
    }

    /** The accepted setup flags by name (e.g. {@code SINGLE_ISSUER}); empty when unavailable. */
    public static List<String> setupFlagNames() {
        return UringNames.setupFlagNames(Holder.RESULT.setupFlags());
    }

    /** The probed opcodes; empty (nothing supported) when unavailable. */
    public static Optional<Probe> probe() {
        return Optional.ofNullable(Holder.RESULT.probe());
    }

    /** The supported opcodes by name (e.g. {@code READ}); empty when unavailable. */
    public static List<String> supportedOpcodeNames() {
        Probe p = Holder.RESULT.probe();
        return p == null ? List.of() : p.supportedOpcodeNames();
    }

    private static Result check() {
        try {
            return checkUnguarded();
        } catch (Throwable t) {
            // Denied native access shows as the downcall classes' ExceptionInInitializerError.
            for (Throwable c = t; c != null; c = c.getCause()) {
                if (c instanceof IllegalCallerException denied) {
                    return new Result(Optional.of(nativeAccessDenied(denied)), 0, 0, null, t);
                }
            }
            return new Result(Optional.of("io_uring check failed: " + t), 0, 0, null, t);
        }
    }

    /** What happened and the flag that fixes it, in one line. */
    static String nativeAccessDenied(IllegalCallerException e) {
        Module m = UringSupport.class.getModule();
        String who = m.isNamed() ? "module " + m.getName() : "the class path (unnamed module)";
        String flag = "--enable-native-access=" + (m.isNamed() ? m.getName() : "ALL-UNNAMED");
        return "native access is denied to " + who + " (" + e.getMessage() + "; --illegal-native-access=deny"
                + " or a module not enabled): add " + flag + " to the java command";
    }

    private static Result checkUnguarded() {
        return evaluate(Boolean.getBoolean(DISABLE_PROPERTY), System.getProperty("os.name", ""),
                IoUringConstants.SUPPORTED_ARCH);
    }

    /** The check with its environment as parameters, so tests can vary what they cannot set. */
    static Result evaluate(boolean disabled, String osName, boolean archSupported) {
        if (disabled) {
            return unavailable("disabled by system property " + DISABLE_PROPERTY + "=true");
        }
        if (!osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return unavailable("unsupported platform: io_uring is Linux-only, this is " + osName);
        }
        if (!archSupported) {
            return unavailable("unsupported platform: architecture " + System.getProperty("os.arch")
                    + " (supported: x86_64, aarch64)");
        }
        RingOptions defaults = RingOptions.defaults();
        try (Ring ring = Ring.open(defaults.withSizes(PROBE_RING_ENTRIES, PROBE_RING_ENTRIES * 2))) {
            // The backend waits with a timeout (EXT_ARG, 5.11) and relies on the kernel keeping
            // completions that do not fit (NODROP, 5.5); without either it cannot keep its promises.
            int missing = REQUIRED_FEATURES & ~ring.features();
            if (missing != 0) {
                return new Result(Optional.of("kernel " + kernelRelease() + " lacks io_uring features "
                        + UringNames.featureNames(missing) + " (Linux 5.11 or newer needed)"),
                        ring.setupFlags(), ring.features(), ring.probe());
            }
            return new Result(Optional.empty(), ring.setupFlags(), ring.features(), ring.probe());
        } catch (RingSetupException e) {
            return unavailable(e.getMessage());
        } catch (IllegalCallerException e) {
            return new Result(Optional.of(nativeAccessDenied(e)), 0, 0, null, e);
        }
    }

    private static Result unavailable(String cause) {
        return new Result(Optional.of(cause), 0, 0, null);
    }
}
