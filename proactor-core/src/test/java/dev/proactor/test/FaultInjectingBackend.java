package dev.proactor.test;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Backend;
import dev.proactor.internal.spi.Completions;
import dev.proactor.internal.spi.Request;
import dev.proactor.internal.spi.Submission;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.IdentityHashMap;
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
 * <p>A socket send cannot be reported short after the fact: the bytes it really sent would be sent
 * again, and the peer would receive them twice. Short sends are therefore real: a {@link RoundCap}
 * cuts a send's request down before the real backend sees it (the round runs under a stand-in
 * submission that carries the shorter request and is mapped back to the core's in every report),
 * so the kernel sends only the first bytes, and the core must send the rest.
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
     * Decides, on the dispatcher thread, how many of the bytes a socket send or receive asks to move
     * it may move: the request is cut before the real backend sees it, so the kernel really moves
     * fewer bytes in that round.
     */
    @FunctionalInterface
    public interface RoundCap {
        /**
         * At most how many of the {@code total} bytes {@code request} (a {@link Request.Send},
         * {@link Request.SendV}, {@link Request.Recv} or {@link Request.RecvV}) may move in this
         * round; {@code total} or more (or negative) for all.
         */
        long cap(Request request, long total);

        /** Every round moves what it asks. */
        RoundCap NONE = (request, total) -> -1;

        /** The next round of type {@code type} asking more than {@code n} bytes moves {@code n}. */
        static RoundCap next(Class<? extends Request> type, long n) {
            AtomicInteger left = new AtomicInteger(1);
            return (request, total) -> type.isInstance(request) && total > n && left.getAndDecrement() > 0 ? n : -1;
        }

        /** With probability {@code p}, a round of type {@code type} asking n bytes moves 1 to n-1 of them. */
        static RoundCap random(Class<? extends Request> type, long seed, double p) {
            SplittableRandom random = new SplittableRandom(seed);
            return (request, total) -> type.isInstance(request) && total >= 2 && random.nextDouble() < p
                    ? 1 + random.nextLong(total - 1) : -1;
        }
    }

    /**
     * The plan and the counters, shared between the test and the backend the dispatcher creates:
     * make one, open the proactor with {@code control::wrap}, then steer and read it from the test.
     */
    public static final class Control {
        private volatile Plan plan = Plan.NONE;
        private volatile RoundCap roundCap = RoundCap.NONE;
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

        /** Replaces the send cap; it applies to sends submitted from now on. */
        public Control roundCap(RoundCap cap) {
            this.roundCap = cap;
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

        /** Completions reported short, and sends cut short by the {@link RoundCap}, so far. */
        public long shortsInjected() {
            return shortsInjected.get();
        }
    }

    private final Control control;
    /** The stand-ins of the core's submissions whose send was cut short, until released. Dispatcher only. */
    private final Map<Submission, Capped> capped = new IdentityHashMap<>();

    /** Wraps {@code delegate}, steered by {@code control}. */
    public FaultInjectingBackend(Backend delegate, Control control) {
        super(delegate);
        this.control = control;
    }

    @Override
    public boolean submit(Submission s) {
        Request r = s.request();
        long total = switch (r) {
            case Request.Send sd -> sd.buffer().byteSize();
            case Request.SendV v -> sum(v.buffers());
            case Request.Recv rv -> rv.buffer().byteSize();
            case Request.RecvV v -> sum(v.buffers());
            default -> -1;
        };
        long n = total < 0 ? -1 : control.roundCap.cap(r, total);
        if (n < 0 || n >= total) {
            return delegate.submit(s);
        }
        Capped c = new Capped(s, cut(r, n));
        capped.put(s, c);
        if (!delegate.submit(c)) {
            capped.remove(s);
            return false;
        }
        control.shortsInjected.incrementAndGet();
        return true;
    }

    @Override
    public boolean cancel(Submission s) {
        Capped c = capped.get(s);
        return delegate.cancel(c != null ? c : s);
    }

    private static long sum(MemorySegment[] buffers) {
        long n = 0;
        for (MemorySegment b : buffers) {
            n += b.byteSize();
        }
        return n;
    }

    /** {@code r}'s first {@code n} bytes, fewer than it holds. */
    private static Request cut(Request r, long n) {
        return switch (r) {
            case Request.Send sd -> new Request.Send(sd.fd(), sd.buffer().asSlice(0, n));
            case Request.Recv rv -> new Request.Recv(rv.fd(), rv.buffer().asSlice(0, n));
            case Request.SendV v -> new Request.SendV(v.fd(), first(v.buffers(), n));
            case Request.RecvV v -> new Request.RecvV(v.fd(), first(v.buffers(), n));
            default -> throw new IllegalArgumentException("not a socket send or receive: " + r);
        };
    }

    /** The first {@code n} bytes of {@code buffers}, in order. */
    private static MemorySegment[] first(MemorySegment[] buffers, long n) {
        List<MemorySegment> out = new ArrayList<>();
        long left = n;
        for (MemorySegment b : buffers) {
            if (left == 0) {
                break;
            }
            MemorySegment part = b.asSlice(0, Math.min(left, b.byteSize()));
            out.add(part);
            left -= part.byteSize();
        }
        return out.toArray(MemorySegment[]::new);
    }

    /** The core's submission a report is about. */
    private static Submission original(Submission s) {
        return s instanceof Capped c ? c.original : s;
    }

    /**
     * A round of the core's submission with a shorter send or receive: what the real backend holds, and keeps
     * its state in, until it releases it.
     */
    private static final class Capped extends Submission {
        final Submission original;
        private final Request request;

        Capped(Submission original, Request request) {
            this.original = original;
            this.request = request;
            token(original.token());
        }

        @Override
        public Request request() {
            return request;
        }

        @Override
        public long deadlineNanos() {
            return original.deadlineNanos();
        }

        @Override
        public boolean cancelRequested() {
            return original.cancelRequested();
        }
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
        public Submission lookup(long token) {
            Submission s = core.lookup(token);
            Capped c = s == null ? null : capped.get(s);
            return c != null ? c : s;
        }

        @Override
        public void next(Submission s, long result, Object attachment) {
            core.next(original(s), result, attachment);
        }

        @Override
        public void nextChunk(Submission s, long result, int bufferId, MemorySegment data) {
            core.nextChunk(original(s), result, bufferId, data);
        }

        @Override
        public void fail(Submission s, int errno) {
            core.fail(original(s), errno);
        }

        @Override
        public void timedOut(Submission s) {
            core.timedOut(original(s));
        }

        @Override
        public void cancelled(Submission s) {
            core.cancelled(original(s));
        }

        @Override
        public void released(Submission s) {
            if (s instanceof Capped c) {
                capped.remove(c.original);
            }
            core.released(original(s));
        }

        @Override
        public void complete(Submission real, long result, Object attachment) {
            control.completionsSeen.incrementAndGet();
            Request request = real.request();
            Submission s = original(real);
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
