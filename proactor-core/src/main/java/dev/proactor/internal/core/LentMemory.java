package dev.proactor.internal.core;

/**
 * A {@link dev.proactor.BufferLease} an operation borrows: while it is lent the kernel may use its
 * memory, so its holder cannot release it; the operation hands it back once the kernel is done.
 * Pool leases and received chunks are lent this way.
 */
interface LentMemory {

    /** The kernel's registered-buffer index of the memory, or -1. */
    int registeredIndex();

    /** Gives the lease back to its holder; dispatcher, once the kernel is done with the memory. */
    void returnFromOperation();
}
