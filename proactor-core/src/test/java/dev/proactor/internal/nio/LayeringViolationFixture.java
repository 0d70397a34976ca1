package dev.proactor.internal.nio;

import dev.proactor.internal.core.CoreProactor;

/**
 * A deliberate layering violation, in test sources only: a class of the portable backend that
 * names the core. {@code LayeringTest} shows its rule reports exactly this.
 */
public final class LayeringViolationFixture {

    private LayeringViolationFixture() {}

    /** The forbidden reference. */
    public static Class<?> core() {
        return CoreProactor.class;
    }
}
