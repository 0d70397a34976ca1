package dev.proactor.bench;

import dev.proactor.ResultHandler;
import dev.proactor.Proactor;
import dev.proactor.ProactorException;
import dev.proactor.ReusableOperation;

/**
 * Pipelined no-ops with no thread hand-off per operation: on a proactor with inline handlers, the
 * calling thread starts {@code chains} nops; each one's completion handler, running on the
 * dispatcher, initiates the next nop of its chain until {@code total} nops have completed, and the
 * last handler wakes the calling thread once. So a run of {@code total} nops crosses threads twice
 * (the first initiations, the final wake-up) whatever {@code total} is, and measures the engine:
 * initiation, inbox, submission, completion, delivery.
 *
 * <p>With one chain there is one nop in flight at a time (one per kernel call, like the raw
 * single loop); with 32 chains, 32 are in flight and the dispatcher can submit and reap them in
 * batches (like the raw batch of 32).
 *
 * <p>With {@code reuse}, each chain is one {@link ReusableOperation} that its handler restarts, so
 * a run allocates no operation; without, each nop is a new operation, as {@code proactor.nop()}
 * makes it.
 *
 * <p>Threading: {@link #run} on one thread at a time. The counters are written by the calling
 * thread before the first initiation (the inbox post publishes them to the dispatcher), then only
 * by handlers, which all run on the dispatcher thread (a handler added after its nop ended, which
 * can happen to the first nops of a run, also runs there), until the final post hands back.
 */
final class NopChains implements ResultHandler<Object> {

    private final Proactor proactor;
    private final boolean reuse;
    private ReusableOperation<?>[] reusable = new ReusableOperation<?>[0];
    private final CompletionMailbox done = new CompletionMailbox(1);
    private int total;
    private int issued;
    private int completed;
    private volatile ProactorException failure;

    /** {@code proactor} must run handlers inline, or the handlers would race on the counters. */
    NopChains(Proactor proactor, boolean reuse) {
        if (!proactor.config().inlineHandlers()) {
            throw new IllegalArgumentException("NopChains needs a proactor with inline handlers");
        }
        this.proactor = proactor;
        this.reuse = reuse;
    }

    /** Runs {@code total} nops in {@code chains} chains; returns when all have completed. */
    int run(int chains, int total) {
        if (chains < 1 || total < chains) {
            throw new IllegalArgumentException("need 1 <= chains <= total: " + chains + ", " + total);
        }
        this.total = total;
        this.issued = chains;
        this.completed = 0;
        if (reuse) {
            startReusable(chains);
        } else {
            for (int i = 0; i < chains; i++) {
                proactor.nop().onComplete(this);
            }
        }
        done.take();
        ProactorException f = failure;
        if (f != null) {
            throw new IllegalStateException("a nop failed; the numbers would be meaningless", f);
        }
        return completed;
    }

    /** The first run of each chain: made on the first call, restarted (each delivered by now) after. */
    private void startReusable(int chains) {
        if (reusable.length != chains) {
            for (ReusableOperation<?> op : reusable) {
                awaitQuietly(op);
            }
            reusable = new ReusableOperation<?>[chains];
            for (int i = 0; i < chains; i++) {
                int slot = i;
                reusable[i] = proactor.reusableNop((result, failed) -> next(failed, reusable[slot]));
            }
            return;
        }
        for (ReusableOperation<?> op : reusable) {
            // The last handler posted before its delivery ended: wait for that end.
            awaitQuietly(op);
            op.restart();
        }
    }

    private static void awaitQuietly(ReusableOperation<?> op) {
        try {
            op.await();
        } catch (ProactorException | InterruptedException e) {
            throw new IllegalStateException("a nop failed; the numbers would be meaningless", e);
        }
    }

    /** On the dispatcher: start the next nop of this chain, or wake the caller after the last. */
    @Override
    public void completed(Object result, ProactorException failed) {
        next(failed, null);
    }

    private void next(ProactorException failed, ReusableOperation<?> chain) {
        if (failed != null) {
            failure = failed;
        }
        completed++;
        if (issued < total) {
            issued++;
            if (chain != null) {
                chain.restart();
            } else {
                proactor.nop().onComplete(this);
            }
        } else if (completed == total) {
            done.post(0);
        }
    }
}
