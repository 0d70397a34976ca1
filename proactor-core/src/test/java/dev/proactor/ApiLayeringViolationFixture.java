package dev.proactor;

import dev.proactor.internal.core.CoreProactor;
import dev.proactor.internal.select.Backends;

/**
 * A deliberate layering violation, in test sources only: a class of the API package that names a
 * core class beside the entry it may name. {@code LayeringTest} shows its rule reports the first
 * and lets the second pass.
 */
public final class ApiLayeringViolationFixture {

    private ApiLayeringViolationFixture() {}

    /** The permitted reference. */
    public static Class<?> entry() {
        return Backends.class;
    }

    /** The forbidden reference. */
    public static Class<?> core() {
        return CoreProactor.class;
    }
}
