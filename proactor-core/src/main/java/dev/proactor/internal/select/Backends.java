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

    /** The backend chosen and the reason, for the log line and the capability report. */
    public record Selection(BackendChoice choice, String reason) {}

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
                            + UringSupport.unavailabilityCause().orElse("no cause given") + "), using the portable backend");
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
        UringSupport.unavailabilityCause().ifPresent(c -> notes.add("io_uring is off: " + c));
        for (Map.Entry<OperationKind, String> e : operations.entrySet()) {
            if (e.getValue().startsWith("off") || e.getValue().startsWith("fallback")) {
                notes.add(e.getKey().name().toLowerCase(java.util.Locale.ROOT) + " is " + e.getValue());
            }
        }
        return CapabilityReport.builder().backend(backendName).reason(selection.reason())
                .os(System.getProperty("os.name") + " " + System.getProperty("os.arch"))
                .kernel(UringSupport.kernelRelease()).java(Runtime.version().toString())
                .ioUringAvailable(UringSupport.isAvailable()).ioUringUnavailableCause(UringSupport.unavailabilityCause())
                .ioUringFeatures(UringSupport.featureNames()).ioUringSetupFlags(UringSupport.setupFlagNames())
                .ioUringOpcodes(UringSupport.supportedOpcodeNames()).operations(operations).notes(notes)
                .build();
    }
}
