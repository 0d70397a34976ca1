package dev.proactor.test;

import dev.proactor.internal.spi.Completions;
import dev.proactor.internal.spi.Submission;
import java.lang.foreign.MemorySegment;

/** Completions that hand every report to the core's: the base of test decorators' sinks. */
public abstract class ForwardingCompletions implements Completions {
    protected final Completions core;

    protected ForwardingCompletions(Completions core) {
        this.core = core;
    }

    @Override
    public Submission lookup(long token) {
        return core.lookup(token);
    }

    @Override
    public void complete(Submission s, long result, Object attachment) {
        core.complete(s, result, attachment);
    }

    @Override
    public void next(Submission s, long result, Object attachment) {
        core.next(s, result, attachment);
    }

    @Override
    public void nextChunk(Submission s, long result, int bufferId, MemorySegment data) {
        core.nextChunk(s, result, bufferId, data);
    }

    @Override
    public void fail(Submission s, int errno) {
        core.fail(s, errno);
    }

    @Override
    public void timedOut(Submission s) {
        core.timedOut(s);
    }

    @Override
    public void cancelled(Submission s) {
        core.cancelled(s);
    }

    @Override
    public void released(Submission s) {
        core.released(s);
    }

    @Override
    public void stray(long userData, int result) {
        core.stray(userData, result);
    }

    @Override
    public void overflowed(long n) {
        core.overflowed(n);
    }
}
