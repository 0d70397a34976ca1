/**
 * The raw io_uring ring driven from Java: set-up with the best flags the kernel accepts, the
 * mapped submission and completion queues, the opcode probe and the availability check. Every
 * type here that holds ring state belongs to the one thread that owns the ring (the
 * dispatcher); no logic here touches the linker or computes struct offsets itself, it goes
 * through {@link dev.proactor.internal.uring.ffi}.
 */
package dev.proactor.internal.uring;
