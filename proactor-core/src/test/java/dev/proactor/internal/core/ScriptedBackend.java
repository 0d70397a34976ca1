package dev.proactor.internal.core;

import dev.proactor.OperationKind;
import dev.proactor.internal.spi.Backend;
import dev.proactor.internal.spi.Completions;
import dev.proactor.internal.spi.Submission;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend whose kernel is a script: each accepted submission is answered, on the dispatcher's
 * next turn, by whatever sequence of reports the script makes for it (results, duplicates, a
 * missing release). Lets the core's settling be tested against report orders a real kernel makes
 * only rarely.
 */
final class ScriptedBackend implements Backend {

    /** Reports on round {@code round} (0 for the first submission) of {@code s}. */
    interface Script {
        void answer(Completions sink, Submission s, int round);
    }

    private final Script script;
    private final ArrayDeque<Submission> accepted = new ArrayDeque<>();
    private final Map<Submission, Integer> rounds = new java.util.IdentityHashMap<>();
    private final Semaphore woken = new Semaphore(0);
    /** Submissions accepted in all, every round counted. */
    final AtomicInteger submissions = new AtomicInteger();
    private Completions sink;

    ScriptedBackend(Script script) {
        this.script = script;
    }

    @Override
    public String name() {
        return "scripted";
    }

    @Override
    public Map<OperationKind, String> operationSupport() {
        return Map.of();
    }

    @Override
    public boolean supports(OperationKind kind) {
        return true;
    }

    @Override
    public void start(Completions completions) {
        sink = completions;
    }

    @Override
    public boolean registerBuffers(MemorySegment[] buffers) {
        return false;
    }

    @Override
    public boolean submit(Submission s) {
        accepted.add(s);
        submissions.incrementAndGet();
        return true;
    }

    @Override
    public boolean cancel(Submission s) {
        return true;
    }

    @Override
    public int runOnce(long waitNanos) {
        int n = 0;
        Submission s;
        while ((s = accepted.poll()) != null) {
            int round = rounds.merge(s, 1, Integer::sum) - 1;
            script.answer(sink, s, round);
            n++;
        }
        if (n == 0) {
            try {
                if (waitNanos < 0) {
                    woken.acquire();
                } else if (waitNanos > 0) {
                    woken.tryAcquire(waitNanos, TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return n;
    }

    @Override
    public void wakeup() {
        woken.release();
    }

    @Override
    public void resetConnection(int fd) {}

    @Override
    public int pending() {
        return accepted.size();
    }

    @Override
    public long kernelCalls() {
        return 0;
    }

    @Override
    public long nativeBytes() {
        return 0;
    }

    @Override
    public void close() {}
}
