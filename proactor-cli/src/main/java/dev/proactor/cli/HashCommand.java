package dev.proactor.cli;

import dev.proactor.BackendChoice;
import dev.proactor.Proactor;
import dev.proactor.ProactorConfig;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Prints the SHA-256 of every regular file under the paths, in {@code sha256sum}'s format, with
 * asynchronous reads and the hashing done by the completion handlers on the proactor's workers.
 * Up to {@code --concurrency} files are read at once, each with {@value #READ_AHEAD} chunks in
 * flight (see {@link FileHasher}), so the reads and buffers in flight are bounded by their product.
 * Files start largest first: one file's digest is sequential, so the largest file is the floor of
 * the run's length, and starting it last would leave one worker hashing it alone at the end (the
 * JDK's 146 MB {@code lib/modules} is half of its 303 MB tree). Lines still come out in the order
 * the files were listed (see {@link HashTargets}), each as soon as it and every file before it are
 * done.
 */
@Command(name = "hash", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {
            "Print the SHA-256 of every regular file under the paths, in sha256sum's format (check it with"
                    + " sha256sum -c). Directories are walked depth first in name order without following"
                    + " symbolic links. Reads are asynchronous; hashing runs in their completion handlers.",
            "A progress bar is drawn on standard error when it is a terminal."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:every file was hashed", "1:a file could not be read, or the backend could not be opened",
            "2:bad usage"})
final class HashCommand implements Callable<Integer> {
    /** Chunks read ahead per file: one being hashed while the next is read. */
    static final int READ_AHEAD = 2;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "Files and directories to hash.")
    List<Path> paths;

    @Option(names = "--backend", defaultValue = "auto", converter = BackendConverter.class,
            description = "Backend: auto, io_uring or portable (default: ${DEFAULT-VALUE}).")
    BackendChoice backend;

    @Option(names = "--concurrency", defaultValue = "8", paramLabel = "N",
            description = "Files read at once (default: ${DEFAULT-VALUE}).")
    int concurrency;

    @Option(names = "--chunk-size", defaultValue = "256k", converter = SizeConverter.class, paramLabel = "SIZE",
            description = "Bytes per read, 4k to 64m, as in 65536 or 1m (default: ${DEFAULT-VALUE}).")
    int chunkSize;

    @Option(names = "--workers", paramLabel = "N",
            description = "Worker threads that run the handlers and hash (default: one per core).")
    Integer workers;

    @CommandLine.ParentCommand
    Main main;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        if (concurrency < 1 || concurrency > 4096) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--concurrency must be in [1, 4096]: " + concurrency);
        }
        if (chunkSize < 4096 || chunkSize > (64 << 20)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--chunk-size must be in [4k, 64m]: " + chunkSize);
        }
        if (workers != null && (workers < 1 || workers > 4096)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--workers must be in [1, 4096]: " + workers);
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();

        List<HashTargets.Target> targets = HashTargets.list(paths);
        ProactorConfig.Builder config = ProactorConfig.builder().name("hash").backend(backend)
                .bufferSize(chunkSize).bufferCount(Math.min(16384, concurrency * READ_AHEAD));
        if (workers != null) {
            config.workerThreads(workers);
        }
        Proactor proactor;
        try {
            proactor = Proactor.open(config.build());
        } catch (UncheckedIOException e) {
            err.println("proactor hash: cannot open backend " + BackendConverter.name(backend) + ": "
                    + e.getCause().getMessage());
            return 1;
        }
        try (proactor;
                ProgressBar progress = main.standardStreams && Terminal.isTerminal(Terminal.STDERR)
                        ? new ProgressBar(err, targets.stream().mapToLong(HashTargets.Target::size).sum(), targets.size())
                        : null) {
            Run run = new Run(proactor, targets, out, err, progress);
            run.start();
            run.finished.await();
            out.flush();
            err.flush();
            return run.failures.get() == 0 ? 0 : 1;
        }
    }

    /** Indexes into {@code targets} in the order their files start: largest first, ties in listing order. */
    static int[] startOrder(List<HashTargets.Target> targets) {
        return IntStream.range(0, targets.size()).boxed()
                .sorted(Comparator.comparingLong((Integer i) -> targets.get(i).size()).reversed())
                .mapToInt(Integer::intValue).toArray();
    }

    /** One invocation's schedule: which file starts next, which results wait for their turn to print. */
    private final class Run {
        private final Proactor proactor;
        private final List<HashTargets.Target> targets;
        private final PrintWriter out;
        private final PrintWriter err;
        private final ProgressBar progress;
        private final FileHasher.Result[] results;
        private final int[] startOrder;
        private final AtomicInteger next = new AtomicInteger();
        private final AtomicInteger failures = new AtomicInteger();
        private final CountDownLatch finished;
        private int printed; // guarded by results

        Run(Proactor proactor, List<HashTargets.Target> targets, PrintWriter out, PrintWriter err, ProgressBar progress) {
            this.proactor = proactor;
            this.targets = targets;
            this.out = out;
            this.err = err;
            this.progress = progress;
            this.results = new FileHasher.Result[targets.size()];
            this.startOrder = startOrder(targets);
            this.finished = new CountDownLatch(targets.size());
        }

        void start() {
            for (int i = 0; i < concurrency; i++) {
                startNext();
            }
        }

        /** Starts the next file that needs reading; settles the ones that failed while listing on the way. */
        private void startNext() {
            int turn;
            while ((turn = next.getAndIncrement()) < targets.size()) {
                int i = startOrder[turn];
                HashTargets.Target t = targets.get(i);
                if (t.error() != null) {
                    done(i, new FileHasher.Result(null, t.error()));
                    continue;
                }
                int index = i;
                new FileHasher(proactor, t.path(), chunkSize, READ_AHEAD,
                        progress == null ? n -> {} : progress::addBytes,
                        r -> {
                            done(index, r);
                            startNext();
                        }).start();
                return;
            }
        }

        private void done(int index, FileHasher.Result result) {
            if (result.error() != null) {
                failures.incrementAndGet();
            }
            if (progress != null) {
                progress.fileDone();
            }
            synchronized (results) {
                results[index] = result;
                if (progress != null) {
                    progress.around(this::printReady);
                } else {
                    printReady();
                }
            }
            finished.countDown();
        }

        /** Prints every result whose predecessors have all been printed. */
        private void printReady() {
            while (printed < results.length && results[printed] != null) {
                FileHasher.Result r = results[printed];
                String name = targets.get(printed).path().toString();
                if (r.error() == null) {
                    out.print(Sha256sumFormat.line(r.hex(), name) + "\n");
                } else {
                    out.flush();
                    err.print("proactor hash: " + name + ": " + r.error() + "\n");
                    err.flush();
                }
                results[printed++] = null; // nothing more to keep for it
            }
            if (progress != null) {
                out.flush();
            }
        }
    }
}
