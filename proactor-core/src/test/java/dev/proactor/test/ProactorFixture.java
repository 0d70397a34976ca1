package dev.proactor.test;

import dev.proactor.BackendChoice;
import dev.proactor.CapabilityReport;
import dev.proactor.CloseReport;
import dev.proactor.MetricsSnapshot;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import dev.proactor.internal.select.Backends;
import dev.proactor.internal.core.CoreProactor;
import dev.proactor.internal.spi.NativeAccounting;
import dev.proactor.internal.spi.Backend;
import dev.proactor.internal.spi.BackendFactory;
import dev.proactor.internal.uring.UringBackend;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.UnaryOperator;

/**
 * Opens proactors on one backend for one test run, and afterwards proves that they left nothing
 * behind. Thread-safe for {@link #open}; {@link #closeAndVerify()} runs once, after the test.
 *
 * <p>Every proactor gets a unique name ({@code pt-<backend>-<n>}), so its threads
 * ({@code <name>-dispatcher}, {@code <name>-worker-N}) can be told from any other. The baselines
 * (open descriptors, native bytes) are taken before the test runs; the checks after it are:
 * <ul>
 *   <li>no buffer lease still held (before close), none reclaimed by close unless the test declared
 *       it with {@link #expectReclaimedLeases};</li>
 *   <li>the close report is clean (nothing abandoned, nothing quarantined);</li>
 *   <li>the ledger: initiated == terminal, no duplicates, no strays;</li>
 *   <li>no thread named after a proactor of this run is alive (polled to a deadline);</li>
 *   <li>every descriptor opened since the baseline is closed again (polled to a deadline);</li>
 *   <li>{@link NativeAccounting#outstandingBytes()} is back at its baseline (polled to a deadline).</li>
 * </ul>
 * A failure lists every leak found, by name.
 */
public final class ProactorFixture {

    /** How long, by default, a leak may take to clear after close before it counts. */
    public static final Duration SETTLE = Duration.ofSeconds(10);

    private static final AtomicInteger SEQUENCE = new AtomicInteger();

    private final java.util.Map<Proactor, Integer> expectedReclaims = new java.util.IdentityHashMap<>();
    private final BackendChoice backend;
    /** Opcodes masked out of an io_uring backend's probe so that their operations fall back; null for none. */
    private final String uringMask;
    private final String label;
    private final Map<Integer, String> fdBaseline;
    private final long nativeBaseline;
    private final List<Opened> opened = new ArrayList<>();
    private Path tempDir;
    private Proactor defaultProactor;
    private boolean verified;
    private Duration settle = SETTLE;

    private record Opened(String name, Proactor proactor) {}

    private ProactorFixture(BackendChoice backend, String label, String uringMask) {
        if (uringMask != null && backend != BackendChoice.IO_URING) {
            throw new IllegalArgumentException("an opcode mask needs the io_uring backend, not " + backend);
        }
        this.backend = backend;
        this.uringMask = uringMask;
        this.label = label;
        this.fdBaseline = ResourceSnapshot.openFds();
        this.nativeBaseline = NativeAccounting.outstandingBytes();
    }

    /** Takes the baselines for a run of test {@code label} on {@code backend}. */
    public static ProactorFixture start(BackendChoice backend, String label) {
        return new ProactorFixture(backend, label, null);
    }

    /**
     * Takes the baselines for a run of test {@code label} on {@code backend}, whose proactors, when
     * {@code uringMask} is not null, are io_uring backends with those opcodes masked out of the probe
     * (the value of {@code dev.proactor.uring.disableOpcodes}, such as {@code ALL}): their operations
     * take the fallback paths.
     */
    public static ProactorFixture start(BackendChoice backend, String label, String uringMask) {
        return new ProactorFixture(backend, label, uringMask);
    }

    /** The opcodes masked out of this run's io_uring probe, or null. */
    public String uringMask() {
        return uringMask;
    }

    /**
     * The system property that masks opcodes out of the probe of every io_uring backend opened
     * without a mask of its own ({@code FallbackRoutes.PROPERTY}, the diagnostic switch of
     * {@code internal.uring}): how a proactor this fixture does not open, such as one a command
     * under test opens, becomes the {@code io_uring-fallback} variant.
     */
    public static final String URING_MASK_PROPERTY = "dev.proactor.uring.disableOpcodes";

    /**
     * The JVM options under which a child JVM's proactors, opened with this run's backend, are this
     * run's variant: the opcode mask for {@code io_uring-fallback}, none otherwise.
     */
    public List<String> jvmOptions() {
        return uringMask == null ? List.of() : List.of("-D" + URING_MASK_PROPERTY + "=" + uringMask);
    }

    /**
     * Calls {@code action} with this run's opcode mask as the JVM's {@value #URING_MASK_PROPERTY}
     * (cleared when the run has none), then restores the property: a proactor opened during the call
     * by code that knows nothing of this fixture, with this run's backend, is this run's variant. A
     * proactor reads the property once, while it opens, so one opened during the call stays masked
     * after it. The property is the JVM's: proactors opened concurrently by another test would see
     * it too, and the test suites run one test at a time.
     */
    public <T> T callInVariant(Callable<T> action) throws Exception {
        String before = System.getProperty(URING_MASK_PROPERTY);
        setMaskProperty(uringMask);
        try {
            return action.call();
        } finally {
            setMaskProperty(before);
        }
    }

    private static void setMaskProperty(String value) {
        if (value == null) {
            System.clearProperty(URING_MASK_PROPERTY);
        } else {
            System.setProperty(URING_MASK_PROPERTY, value);
        }
    }

    /**
     * Throws an {@link AssertionError} unless {@code report} is a proactor of this run's variant: its
     * backend is this run's, and it names an operation masked by {@value #URING_MASK_PROPERTY} exactly
     * when this run has a mask. For a proactor opened outside the fixture ({@link #callInVariant}),
     * so that a run which only seems to be on {@code io_uring-fallback} fails.
     */
    public void assertVariant(CapabilityReport report) {
        String backendName = EachBackendExtension.shortName(backend);
        boolean masked = report.operations().values().stream()
                .anyMatch(how -> how.contains("masked by " + URING_MASK_PROPERTY));
        if (!report.backend().equals(backendName) || masked != (uringMask != null)) {
            throw new AssertionError("[" + variantName() + "] expected a proactor on " + backendName
                    + (uringMask == null ? " without" : " with") + " masked opcodes, got " + report.backend()
                    + " with operations " + report.operations());
        }
    }

    /** The run's backend by name: {@code io_uring}, {@code portable}, or {@code io_uring-fallback} when masked. */
    public String variantName() {
        return variantName(backend, uringMask);
    }

    static String variantName(BackendChoice backend, String uringMask) {
        return EachBackendExtension.shortName(backend) + (uringMask == null ? "" : "-fallback");
    }

    /** Sets how long a leak may take to clear after close before it counts (for the harness's own tests). */
    public synchronized ProactorFixture settle(Duration settle) {
        this.settle = settle;
        return this;
    }

    /** The backend of this run. */
    public BackendChoice backend() {
        return backend;
    }

    /** A builder holding the defaults for this run's backend; {@link #open} names it. */
    public ProactorConfig.Builder config() {
        return ProactorConfig.builder().backend(backend);
    }

    /** The proactor opened with the defaults, opened on first use and shared within the run. */
    public synchronized Proactor proactor() {
        if (defaultProactor == null) {
            defaultProactor = open(config());
        }
        return defaultProactor;
    }

    /** Opens a proactor with the defaults on this run's backend. */
    public Proactor open() {
        return open(config());
    }

    /**
     * Opens a proactor through the public {@link Proactor#open(ProactorConfig)}, with {@code config}'s
     * settings except its name (made unique) and backend (this run's).
     */
    public Proactor open(ProactorConfig.Builder config) {
        String name = nextName();
        ProactorConfig c = config.name(name).backend(backend).build();
        if (uringMask != null) {
            return register(name, openMasked(c, realBackend()));
        }
        return register(name, Proactor.open(c));
    }

    /**
     * Opens a proactor whose backend is this run's backend wrapped by {@code decorator} (for fault
     * injection). The backend is created on the dispatcher thread, as the SPI requires.
     */
    public Proactor open(ProactorConfig.Builder config, UnaryOperator<Backend> decorator) {
        String name = nextName();
        ProactorConfig c = config.name(name).backend(backend).build();
        BackendFactory real = realBackend();
        BackendFactory decorated = cfg -> decorator.apply(real.create(cfg));
        return register(name, uringMask != null ? openMasked(c, decorated) : CoreProactor.open(c, decorated));
    }

    /** The name of the proactor, as given to it by this fixture. */
    public String nameOf(Proactor proactor) {
        return proactor.config().name();
    }

    /** A private directory for the run's files, deleted after the run. */
    public synchronized Path tempDir() {
        if (tempDir == null) {
            try {
                tempDir = Files.createTempDirectory("proactor-" + label + "-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return tempDir;
    }

    /** A new FIFO (named pipe) in {@link #tempDir()}. */
    public Path fifo(String name) {
        return Fifo.create(tempDir().resolve(name));
    }

    private String nextName() {
        return "pt-" + variantName() + "-" + SEQUENCE.incrementAndGet();
    }

    /** A proactor on a masked io_uring backend, whose capability report is built as for a real one. */
    private Proactor openMasked(ProactorConfig c, BackendFactory backendFactory) {
        String reason = "test: io_uring with " + uringMask + " masked out of the probe";
        Backends.Selection selection = new Backends.Selection(backend, reason);
        return CoreProactor.open(c, backendFactory, reason, (backendName, ops) -> Backends.report(selection, backendName, ops));
    }

    /** The run's backend, made on the dispatcher thread as the SPI requires. */
    private BackendFactory realBackend() {
        if (uringMask == null) {
            return Backends.create(backend);
        }
        String mask = uringMask;
        return cfg -> new UringBackend(cfg, mask);
    }

    private synchronized Proactor register(String name, Proactor p) {
        opened.add(new Opened(name, p));
        return p;
    }

    /**
     * Declares that closing {@code p} reclaims {@code count} leases the test deliberately left lent to
     * operations still in flight at close; any other number is still reported as a leak.
     */
    public synchronized void expectReclaimedLeases(Proactor p, int count) {
        expectedReclaims.put(p, count);
    }

    /**
     * Closes every proactor this fixture opened (a proactor the test closed already just returns
     * its first report), then checks for leaks; throws an {@link AssertionError} naming each one.
     */
    public void closeAndVerify() {
        closeAndVerify(List.of(this));
    }

    /**
     * Closes every proactor of every fixture first, then checks each fixture for leaks: for tests
     * whose proactors come from several fixtures (one per backend of a pair), where a descriptor
     * of one fixture's proactor would otherwise count as another's leak. Throws one
     * {@link AssertionError} naming every leak of every fixture.
     */
    public static void closeAndVerify(List<ProactorFixture> fixtures) {
        List<String> leaks = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        List<ProactorFixture> toVerify = new ArrayList<>();
        for (ProactorFixture f : fixtures) {
            synchronized (f) {
                if (!f.verified) {
                    f.verified = true;
                    toVerify.add(f);
                    f.closeProactors(leaks, errors);
                }
            }
        }
        for (ProactorFixture f : toVerify) {
            synchronized (f) {
                f.checkReleased(leaks, errors);
            }
        }
        if (!leaks.isEmpty()) {
            StringBuilder who = new StringBuilder();
            for (ProactorFixture f : toVerify) {
                who.append(who.isEmpty() ? "" : ", ").append('[').append(f.variantName())
                        .append("] ").append(f.label);
            }
            AssertionError failure = new AssertionError(who + " left resources behind:\n  "
                    + String.join("\n  ", leaks));
            errors.forEach(failure::addSuppressed);
            throw failure;
        }
        if (!errors.isEmpty()) {
            AssertionError failure = new AssertionError("tear-down failed");
            errors.forEach(failure::addSuppressed);
            throw failure;
        }
    }

    /** Closes this fixture's proactors; adds what is wrong with each to {@code leaks}. */
    private void closeProactors(List<String> leaks, List<Throwable> errors) {
        for (Opened o : opened) {
            Proactor p = o.proactor();
            try {
                int leased = p.buffers().leased();
                if (leased != 0) {
                    leaks.add(o.name() + ": " + leased + " buffer lease(s) still held after the test");
                }
                int chunks = p.metrics().receiveChunksHeld();
                if (chunks != 0) {
                    leaks.add(o.name() + ": " + chunks + " received chunk(s) still held after the test");
                }
            } catch (RuntimeException e) {
                errors.add(e);
            }
            try {
                CloseReport report = p.close(settle);
                if (!report.clean()) {
                    leaks.add(o.name() + ": close report not clean: abandoned=" + report.abandoned()
                            + " quarantinedBytes=" + report.quarantinedBytes());
                }
                int expected = expectedReclaims.getOrDefault(p, 0);
                if (report.leasesReclaimed() != expected) {
                    leaks.add(o.name() + ": close reclaimed " + report.leasesReclaimed() + " lease(s)"
                            + (expected == 0 ? "" : ", the test expected " + expected));
                }
            } catch (RuntimeException e) {
                leaks.add(o.name() + ": close threw " + e);
                errors.add(e);
            }
            try {
                MetricsSnapshot.Ledger l = p.metrics().ledger();
                if (l.initiated() != l.terminal() || l.duplicates() != 0 || l.strays() != 0) {
                    leaks.add(o.name() + ": ledger not clean after close: " + l);
                }
                int leasedAfter = p.buffers().leased();
                if (leasedAfter != 0) {
                    leaks.add(o.name() + ": " + leasedAfter + " buffer lease(s) outstanding after close");
                }
            } catch (RuntimeException e) {
                leaks.add(o.name() + ": metrics after close threw " + e);
                errors.add(e);
            }
        }
    }

    /** Once every proactor is closed: threads, descriptors and native bytes back at the baselines. */
    private void checkReleased(List<String> leaks, List<Throwable> errors) {
        for (Opened o : opened) {
            String prefix = o.name() + "-";
            if (!Waits.poll(settle, () -> ResourceSnapshot.threadsNamed(prefix).isEmpty())) {
                for (Thread t : ResourceSnapshot.threadsNamed(prefix)) {
                    leaks.add("thread '" + t.getName() + "' (" + t.getState() + ") alive after close, at "
                            + Arrays.toString(Arrays.copyOf(t.getStackTrace(), Math.min(4, t.getStackTrace().length))));
                }
            }
        }
        if (!Waits.poll(settle, () -> ResourceSnapshot.newFds(fdBaseline, ResourceSnapshot.openFds()).isEmpty())) {
            Map<Integer, String> left = ResourceSnapshot.newFds(fdBaseline, ResourceSnapshot.openFds());
            if (left.size() > 20) {
                leaks.add(left.size() + " fds open after close, the first 20 listed");
            }
            left.entrySet().stream().limit(20)
                    .forEach(e -> leaks.add("fd " + e.getKey() + " -> " + e.getValue() + " open after close"
                            + ResourceSnapshot.describeSocket(e.getValue())));
        }
        if (!Waits.poll(settle, () -> NativeAccounting.outstandingBytes() == nativeBaseline)) {
            leaks.add("native bytes: " + NativeAccounting.outstandingBytes() + " outstanding, baseline "
                    + nativeBaseline);
        }
        deleteTempDir(errors);
    }

    private void deleteTempDir(List<Throwable> errors) {
        if (tempDir == null) {
            return;
        }
        try {
            Files.walkFileTree(tempDir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            errors.add(e);
        }
    }
}
