package dev.proactor.nio2;

import dev.proactor.BackendChoice;
import java.io.IOException;
import java.nio.channels.AsynchronousChannelGroup;
import java.nio.channels.IllegalChannelGroupException;
import java.nio.channels.spi.AsynchronousChannelProvider;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * The NIO.2 asynchronous channel provider on Proactor: {@code AsynchronousSocketChannel},
 * {@code AsynchronousServerSocketChannel} and {@code AsynchronousChannelGroup} served by proactors,
 * on io_uring where the kernel offers it and on the portable backend elsewhere. A program opts in
 * without a code change, in either of the JDK's documented ways:
 * {@code -Djava.nio.channels.spi.AsynchronousChannelProvider=dev.proactor.nio2.ProactorChannelProvider},
 * or this module's jar on the class path (its service file names this class).
 *
 * <p>Each group is one proactor (see {@link #openAsynchronousChannelGroup(int, ThreadFactory)});
 * channels opened without a group join the default group, created on first use with the JDK's
 * settings: {@code java.nio.channels.DefaultThreadPool.threadFactory} (a class name) and
 * {@code java.nio.channels.DefaultThreadPool.initialSize}. The system property
 * {@value #BACKEND_PROPERTY} ({@code auto}, {@code io_uring} or {@code portable}) forces a backend;
 * {@link #backendName()} says which one the provider uses, and each group logs it at DEBUG.
 * Deferring to the JDK's own provider is not offered: its class ({@code sun.nio.ch}) is not
 * exported, and the portable backend works wherever the JDK's provider does.
 *
 * <p>Asynchronous file channels are not this class's: the JDK opens them through the default file
 * system provider.
 */
public final class ProactorChannelProvider extends AsynchronousChannelProvider {

    /** The system property that forces a backend: {@code auto} (the default), {@code io_uring}, {@code portable}. */
    public static final String BACKEND_PROPERTY = "dev.proactor.nio2.backend";

    private static final System.Logger LOG = System.getLogger(ProactorChannelProvider.class.getName());
    private static final String THREAD_FACTORY_PROPERTY = "java.nio.channels.DefaultThreadPool.threadFactory";
    private static final String INITIAL_SIZE_PROPERTY = "java.nio.channels.DefaultThreadPool.initialSize";

    private final BackendChoice backend;
    private ProactorChannelGroup defaultGroup;

    /**
     * The provider the JDK instantiates (by system property or service file), on the backend
     * {@value #BACKEND_PROPERTY} names.
     *
     * @throws IllegalArgumentException if the property names no backend
     */
    public ProactorChannelProvider() {
        this(backendFromProperty());
    }

    /** A provider on the given backend, for a program that builds its groups from a provider it picked. */
    public ProactorChannelProvider(BackendChoice backend) {
        this.backend = Objects.requireNonNull(backend, "backend");
    }

    private static BackendChoice backendFromProperty() {
        String value = System.getProperty(BACKEND_PROPERTY, "auto").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "auto" -> BackendChoice.AUTO;
            case "io_uring", "iouring", "uring" -> BackendChoice.IO_URING;
            case "portable", "nio" -> BackendChoice.PORTABLE;
            default -> throw new IllegalArgumentException(
                    BACKEND_PROPERTY + " must be auto, io_uring or portable: '" + value + "'");
        };
    }

    /** The backend asked for. */
    public BackendChoice backendChoice() {
        return backend;
    }

    /**
     * The backend the provider's groups run on, such as {@code io_uring} or {@code portable}: the
     * default group's, opening it if it is not open yet.
     *
     * @throws IOException if the backend asked for cannot be opened (the message says why)
     */
    public String backendName() throws IOException {
        return defaultGroup().proactor().backendName();
    }

    /** {@inheritDoc} Handlers run on {@code nThreads} threads made by {@code threadFactory}. */
    @Override
    public AsynchronousChannelGroup openAsynchronousChannelGroup(int nThreads, ThreadFactory threadFactory)
            throws IOException {
        if (nThreads <= 0) {
            throw new IllegalArgumentException("'nThreads' must be > 0");
        }
        Objects.requireNonNull(threadFactory, "threadFactory");
        return open(HandlerPool.fixed(nThreads, threadFactory), null, false);
    }

    /**
     * {@inheritDoc} Handlers run on {@code executor}, which the group shuts down when it
     * terminates: {@code max(1, initialSize)} tasks of it run the group's deliveries in a loop (as
     * the JDK's provider runs that many polling loops there), and one more whenever all of them are
     * blocked in handlers while deliveries wait ({@link HandlerPool}).
     */
    @Override
    public AsynchronousChannelGroup openAsynchronousChannelGroup(ExecutorService executor, int initialSize)
            throws IOException {
        Objects.requireNonNull(executor, "executor");
        return open(HandlerPool.growing(initialSize, executor), executor, false);
    }

    @Override
    public ProactorServerSocketChannel openAsynchronousServerSocketChannel(AsynchronousChannelGroup group)
            throws IOException {
        return new ProactorServerSocketChannel(ours(group));
    }

    @Override
    public ProactorSocketChannel openAsynchronousSocketChannel(AsynchronousChannelGroup group) throws IOException {
        return new ProactorSocketChannel(ours(group));
    }

    private ProactorChannelGroup ours(AsynchronousChannelGroup group) throws IOException {
        if (group == null) {
            return defaultGroup();
        }
        if (!(group instanceof ProactorChannelGroup g) || g.provider() != this) {
            throw new IllegalChannelGroupException();
        }
        return g;
    }

    private ProactorChannelGroup open(HandlerPool pool, ExecutorService executor, boolean isDefault)
            throws IOException {
        ProactorChannelGroup group = new ProactorChannelGroup(this, backend, pool, executor, isDefault);
        LOG.log(System.Logger.Level.DEBUG, "NIO.2 {0} on backend {1} (asked: {2})", group,
                group.proactor().backendName(), backend);
        return group;
    }

    /**
     * The group of channels opened without one, never shut down, like the JDK's: its initial size
     * of handler threads (at least one), and more while all of them are blocked in handlers and
     * deliveries wait; those above the initial size end after a minute without work
     * ({@link HandlerPool}).
     */
    private synchronized ProactorChannelGroup defaultGroup() throws IOException {
        if (defaultGroup == null) {
            int initial = Integer.getInteger(INITIAL_SIZE_PROPERTY, Runtime.getRuntime().availableProcessors());
            defaultGroup = open(HandlerPool.growing(initial, defaultThreadFactory()), null, true);
        }
        return defaultGroup;
    }

    /** The factory {@value #THREAD_FACTORY_PROPERTY} names, else daemon threads, as the JDK's default pool has. */
    private static ThreadFactory defaultThreadFactory() {
        String name = System.getProperty(THREAD_FACTORY_PROPERTY);
        if (name == null) {
            return Thread.ofPlatform().name("nio2-default-", 0).daemon(true).factory();
        }
        try {
            Class<?> c = Class.forName(name, true, ClassLoader.getSystemClassLoader());
            return (ThreadFactory) c.getConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new IllegalStateException(THREAD_FACTORY_PROPERTY + " names no usable ThreadFactory: " + name, e);
        }
    }
}
