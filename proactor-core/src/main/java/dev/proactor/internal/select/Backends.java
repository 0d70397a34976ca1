package dev.proactor.internal.select;

import dev.proactor.BackendChoice;
import dev.proactor.CapabilityReport;
import dev.proactor.OperationKind;
import dev.proactor.ProactorConfig;
import dev.proactor.internal.core.CoreProactor;
import dev.proactor.internal.nio.NioBackend;
import dev.proactor.internal.spi.BackendFactory;
import dev.proactor.internal.uring.UringBackend;
import dev.proactor.internal.uring.UringSupport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which backend a proactor gets, and why: the one place that names the backends, so that neither
 * the API nor the core does. Its {@link #open} and {@link #openGroup} are the only internal
 * classes the API names (the static factories {@code Proactor.open} and {@code ProactorGroup.open}
 * must reach an implementation; a provider SPI would let a foreign one in, which the core's
 * handles cannot serve).
 */
public final class Backends {
    private Backends() {}

    /**
     * The backend chosen and the reason, for the log line and the capability report.
     * {@code uringChecked}: io_uring was probed on the way. The portable backend requested by name
     * is chosen without it, so that such a proactor touches no FFM downcall (no native-access
     * warning, no {@code --enable-native-access} needed), and its report says io_uring was not checked.
     */
    public record Selection(BackendChoice choice, String reason, boolean uringChecked) {
        /** Probed unless {@code choice} is the portable backend: the way a choice by name goes. */
        public Selection(BackendChoice choice, String reason) {
            this(choice, reason, choice != BackendChoice.PORTABLE);
        }
    }

    /** The io_uring cause in the report of a portable backend requested by name. */
    static final String NOT_CHECKED = "not checked: the portable backend was requested";

    /**
     * Why {@code choice} cannot be used here; empty when it can. The portable backend needs nothing
     * but the JDK, so PORTABLE and AUTO are always available.
     */
    public static Optional<String> available(BackendChoice choice) {
        return switch (choice) {
            case IO_URING -> UringSupport.unavailabilityCause();
            case PORTABLE, AUTO -> Optional.empty();
        };
    }

    /**
     * Picks the backend for {@code config}.
     *
     * @throws UncheckedIOException naming the reason when the requested backend is unavailable
     */
    public static Selection select(ProactorConfig config) {
        BackendChoice wanted = config.backend();
        Optional<String> off = available(wanted);
        if (off.isPresent()) {
            IOException e = new IOException("backend " + wanted + " is unavailable: " + off.get());
            if (wanted == BackendChoice.IO_URING) {
                UringSupport.unavailabilityError().ifPresent(e::initCause);
            }
            throw new UncheckedIOException(e);
        }
        return switch (wanted) {
            case IO_URING -> new Selection(BackendChoice.IO_URING, "requested, and io_uring is available");
            case PORTABLE -> new Selection(BackendChoice.PORTABLE, "requested");
            case AUTO -> UringSupport.isAvailable()
                    ? new Selection(BackendChoice.IO_URING, "auto: io_uring is available and its probe passed")
                    : new Selection(BackendChoice.PORTABLE, "auto: io_uring unavailable ("
                            + UringSupport.unavailabilityCause().orElse("no cause given") + "), using the portable backend",
                            true);
        };
    }

    /**
     * A factory for {@code choice}'s backend, to be called on the new proactor's dispatcher thread
     * with its configuration (ring sizes; the portable backend's thread names and file queue
     * length). AUTO means whatever {@link #select} would pick now.
     */
    public static BackendFactory create(BackendChoice choice) {
        return switch (choice) {
            case IO_URING -> UringBackend::new;
            case PORTABLE -> NioBackend::new;
            case AUTO -> UringSupport.isAvailable() ? create(BackendChoice.IO_URING) : create(BackendChoice.PORTABLE);
        };
    }

    /** Opens a proactor on the backend {@code config} selects. */
    public static dev.proactor.Proactor open(ProactorConfig config) {
        Selection s = select(config);
        return CoreProactor.open(config, create(s.choice()), s.reason(), (name, ops) -> report(s, name, ops));
    }

    /**
     * Opens {@code members} proactors as one group; what {@code ProactorGroup.open} calls, as
     * {@code Proactor.open} calls {@link #open}.
     */
    public static dev.proactor.ProactorGroup openGroup(int members, ProactorConfig config) {
        return dev.proactor.internal.core.Group.open(members, config, Backends::open);
    }

    /** The capability report of a proactor running {@code backendName} after {@code selection}. */
    public static CapabilityReport report(Selection selection, String backendName, Map<OperationKind, String> operations) {
        List<String> notes = new ArrayList<>();
        CapabilityReport.Builder report = CapabilityReport.builder().backend(backendName).reason(selection.reason())
                .os(System.getProperty("os.name") + " " + System.getProperty("os.arch"))
                .java(Runtime.version().toString());
        if (selection.uringChecked()) {
            UringSupport.unavailabilityCause().ifPresent(c -> notes.add("io_uring is off: " + c));
            report.kernel(UringSupport.kernelRelease()).ioUringAvailable(UringSupport.isAvailable())
                    .ioUringUnavailableCause(UringSupport.unavailabilityCause())
                    .ioUringFeatures(UringSupport.featureNames()).ioUringSetupFlags(UringSupport.setupFlagNames())
                    .ioUringOpcodes(UringSupport.supportedOpcodeNames());
        } else {
            // os.version is the kernel's release on Linux (uname), read without the io_uring classes.
            report.kernel(System.getProperty("os.version", "unknown")).ioUringAvailable(false)
                    .ioUringUnavailableCause(Optional.of(NOT_CHECKED));
        }
        for (Map.Entry<OperationKind, String> e : operations.entrySet()) {
            if (e.getValue().startsWith("off") || e.getValue().startsWith("fallback")) {
                notes.add(e.getKey().name().toLowerCase(java.util.Locale.ROOT) + " is " + e.getValue());
            }
        }
        return report.operations(operations).notes(notes).build();
    }
}
