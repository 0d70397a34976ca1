package dev.proactor.internal.spi;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Native bytes held by every proactor in this JVM: buffer pools, bounce buffers for heap buffers and
 * backend memory. A closed proactor leaves nothing counted here unless its close report names
 * quarantined bytes. Thread-safe.
 */
public final class NativeAccounting {
    private static final AtomicLong BYTES = new AtomicLong();

    private NativeAccounting() {}

    /** Records an allocation. */
    public static void allocated(long bytes) {
        BYTES.addAndGet(bytes);
    }

    /** Records a release. */
    public static void freed(long bytes) {
        BYTES.addAndGet(-bytes);
    }

    /** Native bytes held now. */
    public static long outstandingBytes() {
        return BYTES.get();
    }
}
