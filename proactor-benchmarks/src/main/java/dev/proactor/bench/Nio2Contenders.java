package dev.proactor.bench;

import java.nio.channels.spi.AsynchronousChannelProvider;
import java.nio.file.FileSystems;
import java.util.List;

/**
 * The NIO.2 contenders run twice: {@code nio2} on the JDK's own providers and {@code nio2-proactor},
 * the same server code switched to proactor-nio2 the way a user switches an unchanged program,
 * with the two system properties on the server's command line. The server checks at start that
 * the switch took, so a run can never report the JDK's figures under proactor-nio2's name.
 */
public final class Nio2Contenders {

    /** The contender name of the NIO.2 servers on proactor-nio2. */
    public static final String PROACTOR = "nio2-proactor";

    private static final String CHANNEL_PROVIDER = "dev.proactor.nio2.ProactorChannelProvider";
    private static final String FILE_PROVIDER = "dev.proactor.nio2.ProactorFileSystemProvider";

    private Nio2Contenders() {
    }

    /** The JVM options that select proactor-nio2 for {@code impl}; none for every other contender. */
    public static List<String> jvmOptions(String impl) {
        if (!impl.equals(PROACTOR)) {
            return List.of();
        }
        return List.of("-Djava.nio.channels.spi.AsynchronousChannelProvider=" + CHANNEL_PROVIDER,
                "-Djava.nio.file.spi.DefaultFileSystemProvider=" + FILE_PROVIDER);
    }

    /**
     * In the server's JVM: fails unless both providers in effect are the JDK's, which the
     * benchmarks jar keeps by leaving proactor-nio2's service file out.
     *
     * @throws IllegalStateException naming the provider found instead
     */
    public static void requireJdkProviders() {
        String channels = AsynchronousChannelProvider.provider().getClass().getName();
        String files = FileSystems.getDefault().provider().getClass().getName();
        if (channels.startsWith("dev.proactor.") || files.startsWith("dev.proactor.")) {
            throw new IllegalStateException("nio2 must run on the JDK's providers, found " + channels + " and " + files);
        }
    }

    /**
     * In the server's JVM: fails unless both providers in effect are proactor-nio2's.
     *
     * @throws IllegalStateException naming the provider found instead
     */
    public static void requireProactorProviders() {
        String channels = AsynchronousChannelProvider.provider().getClass().getName();
        String files = FileSystems.getDefault().provider().getClass().getName();
        if (!channels.equals(CHANNEL_PROVIDER) || !files.equals(FILE_PROVIDER)) {
            throw new IllegalStateException(PROACTOR + " runs on " + channels + " and " + files
                    + ", not on proactor-nio2's providers: start it with " + jvmOptions(PROACTOR));
        }
    }
}
