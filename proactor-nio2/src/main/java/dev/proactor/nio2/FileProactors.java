package dev.proactor.nio2;

import dev.proactor.BackendChoice;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;

/**
 * The proactors behind {@link ProactorFileChannel}s: one per backend, opened on first use and kept
 * for the life of the process (their threads are daemons, so they never hold the JVM up). Their
 * handlers run on one {@link HandlerPool} of daemon threads, the channels' default thread pool,
 * which takes each dispatcher turn's completions as one batch: one thread per CPU, and more while
 * all of them are blocked in handlers (on another channel's future, say). A lock that must wait
 * for another process blocks a thread of a cached pool of its own. Safe to use from any thread.
 */
final class FileProactors {

    /** Names the backend: {@code auto} (the default), {@code io_uring} or {@code portable}. */
    static final String BACKEND_PROPERTY = "dev.proactor.nio2.backend";

    private static final HandlerPool HANDLER_THREADS = HandlerPool.growing(Runtime.getRuntime().availableProcessors(),
            daemons("proactor-nio2-file-handler-"));
    private static final ExecutorService LOCK_WAITS = Executors.newCachedThreadPool(daemons("proactor-nio2-file-lock-"));
    private static final Map<BackendChoice, Proactor> PROACTORS = new EnumMap<>(BackendChoice.class);

    private FileProactors() {
    }

    /**
     * The backend {@value #BACKEND_PROPERTY} names.
     *
     * @throws IllegalArgumentException for a value other than auto, io_uring or portable
     */
    static BackendChoice configuredBackend() {
        String value = System.getProperty(BACKEND_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "auto" -> BackendChoice.AUTO;
            case "io_uring" -> BackendChoice.IO_URING;
            case "portable" -> BackendChoice.PORTABLE;
            default -> throw new IllegalArgumentException(
                    BACKEND_PROPERTY + "=" + value + ": expected auto, io_uring or portable");
        };
    }

    /**
     * The shared proactor of {@code backend}, opened now if it is the first use.
     *
     * @throws java.io.UncheckedIOException if that backend cannot open here (the message says why)
     */
    static synchronized Proactor get(BackendChoice backend) {
        return PROACTORS.computeIfAbsent(backend, b -> Proactor.open(ProactorConfig.builder()
                .name("proactor-nio2-file-" + b.name().toLowerCase(Locale.ROOT))
                .backend(b)
                .handlerExecutor(HANDLER_THREADS)
                .build()));
    }

    /** The handler threads of every backend's proactor. */
    static HandlerPool handlerThreads() {
        return HANDLER_THREADS;
    }

    /** The cached pool whose threads wait for a lock another process holds. */
    static ExecutorService lockWaits() {
        return LOCK_WAITS;
    }

    private static ThreadFactory daemons(String prefix) {
        return Thread.ofPlatform().name(prefix, 1).daemon(true).factory();
    }
}
