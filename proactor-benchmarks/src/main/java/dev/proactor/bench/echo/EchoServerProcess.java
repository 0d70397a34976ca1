package dev.proactor.bench.echo;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One echo contender running as its own JVM (same JDK, {@code -Xms512m -Xmx512m}), so that its CPU
 * time and memory can be read from {@code /proc/PID}. {@code proactor-echo} is the {@code proactor
 * echo} command from proactor.jar with its defaults, as a user runs it; every other contender is an
 * {@link EchoServer} of this jar. {@link #close()} stops it: standard input closed for the jar's
 * servers, SIGTERM for the command (its graceful stop), forcibly when either does not exit in time.
 */
final class EchoServerProcess implements AutoCloseable {

    /** The contender that is the shipped command, not a class of this jar. */
    static final String COMMAND = "proactor-echo";
    /**
     * The shipped command with {@code --inline-handlers}: not its default, so never a figure for
     * the command as shipped, but what the hand-off to workers costs it, measured beside it.
     */
    static final String COMMAND_INLINE = "proactor-echo-inline";

    private static final Pattern BANNER = Pattern.compile("proactor echo: listening on [^ ]*:(\\d+) ");

    private final String impl;
    private final Process process;
    private final InetSocketAddress address;

    private EchoServerProcess(String impl, Process process, InetSocketAddress address) {
        this.impl = impl;
        this.process = process;
        this.address = address;
    }

    /**
     * Starts {@code impl} under {@code prefix} (such as {@code taskset -c 0}, or a wrapper) and
     * returns once it listens.
     *
     * @param proactorJar proactor.jar, needed for {@link #COMMAND} only
     */
    static EchoServerProcess start(String impl, List<String> prefix, Path proactorJar) throws IOException {
        return start(impl, prefix, proactorJar, List.of());
    }

    /** As {@link #start(String, List, Path)}, with extra options for the server's JVM. */
    static EchoServerProcess start(String impl, List<String> prefix, Path proactorJar, List<String> jvmOptions)
            throws IOException {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(java(), "--enable-native-access=ALL-UNNAMED", "-Xms512m", "-Xmx512m"));
        cmd.addAll(jvmOptions);
        cmd.addAll(dev.proactor.bench.Nio2Contenders.jvmOptions(impl));
        if (isCommand(impl)) {
            if (proactorJar == null) {
                throw new IllegalArgumentException(impl + " needs --proactor-jar pointing at proactor.jar");
            }
            cmd.addAll(List.of("-jar", proactorJar.toString(), "echo", "--port", "0"));
            if (impl.equals(COMMAND_INLINE)) {
                cmd.add("--inline-handlers");
            }
        } else {
            cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), EchoServer.class.getName(), impl));
        }
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try {
            BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            int port = -1;
            for (String line; port < 0 && (line = r.readLine()) != null; ) {
                Matcher m = BANNER.matcher(line);
                if (line.startsWith("PORT ")) {
                    port = Integer.parseInt(line.substring(5).trim());
                } else if (m.find()) {
                    port = Integer.parseInt(m.group(1));
                }
            }
            if (port < 0) {
                throw new IOException(impl + ": server did not print its port");
            }
            // Later output must not fill the pipe and block the server. The JDK closes the pipe once
            // the process exited, which ends the reading with "Stream closed": that is its end too.
            Thread.ofVirtual().start(() -> {
                try {
                    r.lines().forEach(_ -> { });
                } catch (java.io.UncheckedIOException e) {
                    // the process is gone
                }
            });
            return new EchoServerProcess(impl, p, new InetSocketAddress("127.0.0.1", port));
        } catch (IOException | RuntimeException e) {
            p.destroyForcibly();
            throw e;
        }
    }

    /**
     * Checks before a run that {@code proactorJar} is a file when {@code impls} name {@link #COMMAND},
     * so that a missing jar fails the run at once rather than each of its rounds.
     *
     * @throws IllegalArgumentException when it is needed and missing
     */
    static void requireJarFor(List<String> impls, Path proactorJar) {
        if (impls.stream().anyMatch(EchoServerProcess::isCommand)
                && (proactorJar == null || !java.nio.file.Files.isRegularFile(proactorJar))) {
            throw new IllegalArgumentException(COMMAND + " needs --proactor-jar pointing at proactor.jar: " + proactorJar);
        }
    }

    /** Whether {@code impl} is the {@code proactor echo} command ({@link #COMMAND}, {@link #COMMAND_INLINE}). */
    static boolean isCommand(String impl) {
        return impl.equals(COMMAND) || impl.equals(COMMAND_INLINE);
    }

    /** This JVM's java launcher, which the servers run on too. */
    static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    InetSocketAddress address() {
        return address;
    }

    /** The server JVM's pid (taskset and the wrappers exec it, so it is the process started). */
    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws IOException, InterruptedException {
        if (isCommand(impl)) {
            process.destroy();
        } else {
            process.getOutputStream().close();
        }
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
