package dev.proactor.test;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Backend;
import dev.proactor.internal.spi.Completions;
import dev.proactor.internal.spi.Request;
import dev.proactor.internal.spi.Submission;
import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Backend} decorator that lies about successful outcomes, the way a real kernel may: it
 * turns a completion into a failure with an errno (EAGAIN, EBADF, ...) or reports fewer bytes than
 * were transferred. The real backend did the work and still releases the submission itself, so the
 * settle-then-release order the core relies on is unchanged. Only {@code complete} is altered;
 * failures, timeouts and cancellations pass through.
 *
 * <p>Like the backend it wraps, all methods except {@link #wakeup()} run on the dispatcher thread;
 * its {@link Control} (the plan and the counters) may be used from any thread.
 */
public final class FaultInjectingBackend extends ForwardingBackend {

    /** errno numbers (Linux, x86-64 and aarch64 alike). */
    public static final int EBADF = 9;
    /** Try again. */
    public static final int EAGAIN = 11;
    /** Interrupted system call. */
    public static final int EINTR = 4;

    /** What to do with one successful completion. */
    public sealed interface Injection {
        /** Report it as it is. */
        Injection PASS = new Pass();

        /** Reports it as it is. */
        record Pass() implements Injection {}

        /**
         * Reports a failure instead.
         *
         * @param errno positive errno
         */
        record Fail(int errno) implements Injection {}

        /**
         * Reports fewer bytes than were transferred.
         *
         * @param result the byte count to report
         */
        record Short(long result) implements Injection {}
    }

    /** Decides, on the dispatcher thread, what to report for one successful completion. */
    @FunctionalInterface
    public interface Plan {
        /** The injection for a completion of {@code request} with {@code result}. */
        Injection decide(Request request, long result);

        /** Report everything as it is. */
        Plan NONE = (request, result) -> Injection.PASS;

        /** Fails the next {@code times} completions of requests of type {@code type} with {@code errno}. */
        static Plan failNext(Class<? extends Request> type, int errno, int times) {
            AtomicInteger left = new AtomicInteger(times);
            return (request, result) -> type.isInstance(request) && left.getAndDecrement() > 0
                    ? new Injection.Fail(errno) : Injection.PASS;
        }

        /** Fails every completion of requests of type {@code type} with {@code errno}. */
        static Plan failAlways(Class<? extends Request> type, int errno) {
            return (request, result) -> type.isInstance(request) ? new Injection.Fail(errno) : Injection.PASS;
        }

        /** Reports the next completion of type {@code type} that moved more than {@code n} bytes as {@code n}. */
        static Plan shortNext(Class<? extends Request> type, long n) {
            AtomicInteger left = new AtomicInteger(1);
            return (request, result) -> type.isInstance(request) && result > n && left.getAndDecrement() > 0
                    ? new Injection.Short(n) : Injection.PASS;
        }

        /**
         * For reads and writes (plain and vectored): with probability {@code pShort} reports 1 to n-1 of
         * the n bytes moved, else with probability {@code pErrno} fails with {@code errno}.
         */
        static Plan random(long seed, double pShort, double pErrno, int errno) {
            SplittableRandom random = new SplittableRandom(seed);
            return (request, result) -> {
                boolean io = request instanceof Request.Read || request instanceof Request.Write
                        || request instanceof Request.ReadV || request instanceof Request.WriteV;
                if (!io) {
                    return Injection.PASS;
                }
                double dice = random.nextDouble();
                if (dice < pShort && result >= 2) {
                    return new Injection.Short(1 + random.nextLong(result - 1));
                }
                if (dice >= pShort && dice < pShort + pErrno) {
                    return new Injection.Fail(errno);
                }
                return Injection.PASS;
            };
        }
    }

    /**
     * The plan and the counters, shared between the test and the backend the dispatcher creates:
     * make one, open the proactor with {@code control::wrap}, then steer and read it from the test.
     */
    public static final class Control {
        private volatile Plan plan = Plan.NONE;
        private final AtomicLong completionsSeen = new AtomicLong();
        private final AtomicLong failuresInjected = new AtomicLong();
        private final AtomicLong shortsInjected = new AtomicLong();
        private final Map<OperationKind, AtomicLong> seenByKind = new ConcurrentHashMap<>();

        /** Wraps {@code real}; for {@code ProactorFixture.open(config, control::wrap)}. */
        public Backend wrap(Backend real) {
            return new FaultInjectingBackend(real, this);
        }

        /** Replaces the plan; it applies to completions delivered from now on. */
        public Control plan(Plan plan) {
            this.plan = plan;
            return this;
        }

        /** Successful completions the real backend delivered so far. */
        public long completionsSeen() {
            return completionsSeen.get();
        }

        /** Successful completions of requests of {@code kind} seen so far. */
        public long completionsSeen(OperationKind kind) {
            AtomicLong n = seenByKind.get(kind);
            return n == null ? 0 : n.get();
        }

        /** Completions turned into failures so far. */
        public long failuresInjected() {
            return failuresInjected.get();
        }

        /** Completions reported short so far. */
        public long shortsInjected() {
            return shortsInjected.get();
        }
    }

    private final Control control;

    /** Wraps {@code delegate}, steered by {@code control}. */
    public FaultInjectingBackend(Backend delegate, Control control) {
        super(delegate);
        this.control = control;
    }

    @Override
    public void start(Completions completions) {
        delegate.start(new Lying(completions));
    }

    /** The sink the real backend reports to: alters successful completions according to the plan. */
    private final class Lying extends ForwardingCompletions {
        Lying(Completions core) {
            super(core);
        }

        @Override
        public void next(Submission s, long result, Object attachment) {
            core.next(s, result, attachment);
        }

        @Override
        public void complete(Submission s, long result, Object attachment) {
            control.completionsSeen.incrementAndGet();
            Request request = s.request();
            control.seenByKind.computeIfAbsent(Request.kindOf(request), k -> new AtomicLong()).incrementAndGet();
            Injection injection = s.cancelRequested() ? Injection.PASS : control.plan.decide(request, result);
            switch (injection) {
                case Injection.Pass p -> core.complete(s, result, attachment);
                case Injection.Fail f -> {
                    control.failuresInjected.incrementAndGet();
                    core.fail(s, f.errno());
                }
                case Injection.Short sh -> {
                    control.shortsInjected.incrementAndGet();
                    core.complete(s, sh.result(), attachment);
                }
            }
        }
    }
}
