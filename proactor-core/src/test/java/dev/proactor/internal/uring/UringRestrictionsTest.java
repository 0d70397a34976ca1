package dev.proactor.internal.uring;

import static dev.proactor.internal.uring.ffi.IoUringConstants.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.proactor.internal.uring.ffi.IoUringLayouts;
import dev.proactor.internal.uring.ffi.LibC;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What {@code IORING_REGISTER_RESTRICTIONS} does to the probe, which is why the backend's fallback
 * routes go by the probe alone: a ring created with IORING_SETUP_R_DISABLED, restricted to NOP (and
 * to the probe among the register operations), then enabled, still reports READ as supported. The
 * kernel's io_probe lists every opcode the kernel implements; a restricted opcode fails only when
 * submitted (io_init_req: -EACCES). Restrictions can only be registered by whoever holds the ring
 * before it is enabled, so a ring the backend creates itself is never restricted; a process that
 * hands rings to a sandbox is the case they exist for.
 */
class UringRestrictionsTest {

    /** enum io_uring_register_restriction_op (include/uapi/linux/io_uring.h, 5.10). */
    private static final int IORING_RESTRICTION_REGISTER_OP = 0;
    private static final int IORING_RESTRICTION_SQE_OP = 1;
    /**
     * struct io_uring_restriction (include/uapi/linux/io_uring.h): __u16 opcode; a union of __u8
     * register_op / sqe_op / sqe_flags; __u8 resv; __u32 resv2[3] — 16 bytes.
     */
    private static final long RESTRICTION_SIZE = 16;
    private static final long RESTRICTION_OPCODE = 0;
    private static final long RESTRICTION_ARG = 2;
    private static final int PROBE_CAPACITY = 256;

    @BeforeAll
    static void uring() {
        assumeTrue(UringSupport.isAvailable(), () -> UringSupport.unavailabilityCause().orElse(""));
    }

    @Test
    void theProbeOfARestrictedRingStillListsTheOpcodesItDenies() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment params = arena.allocate(IoUringLayouts.IO_URING_PARAMS);
            params.set(ValueLayout.JAVA_INT, IoUringLayouts.PARAMS_FLAGS, IORING_SETUP_R_DISABLED);
            int fd = LibC.ioUringSetup(4, params);
            assertThat(fd).as("io_uring_setup with R_DISABLED").isNotNegative();
            try {
                MemorySegment rules = arena.allocate(RESTRICTION_SIZE * 2, 4);
                restriction(rules, 0, IORING_RESTRICTION_SQE_OP, IORING_OP_NOP);
                restriction(rules, 1, IORING_RESTRICTION_REGISTER_OP, IORING_REGISTER_PROBE);
                assertThat(LibC.ioUringRegister(fd, IORING_REGISTER_RESTRICTIONS, rules, 2)).isZero();
                assertThat(LibC.ioUringRegister(fd, IORING_REGISTER_ENABLE_RINGS, MemorySegment.NULL, 0)).isZero();

                MemorySegment probe = arena.allocate(IoUringLayouts.PROBE_OPS + PROBE_CAPACITY * IoUringLayouts.PROBE_OP_SIZE, 8);
                assertThat(LibC.ioUringRegister(fd, IORING_REGISTER_PROBE, probe, PROBE_CAPACITY)).isZero();
                assertThat(supported(probe, IORING_OP_NOP)).isTrue();
                assertThat(supported(probe, IORING_OP_READ)).as("READ, which the restrictions deny").isTrue();
                assertThat(supported(probe, IORING_OP_RECV)).as("RECV, which the restrictions deny").isTrue();
                // A register operation the restrictions leave out is refused, so they did take hold.
                assertThat(LibC.ioUringRegister(fd, IORING_REGISTER_RESTRICTIONS, rules, 2)).isNegative();
            } finally {
                LibC.close(fd);
            }
        }
    }

    private static void restriction(MemorySegment rules, int index, int opcode, int arg) {
        long base = index * RESTRICTION_SIZE;
        rules.set(ValueLayout.JAVA_SHORT, base + RESTRICTION_OPCODE, (short) opcode);
        rules.set(ValueLayout.JAVA_BYTE, base + RESTRICTION_ARG, (byte) arg);
    }

    private static boolean supported(MemorySegment probe, int opcode) {
        int len = Byte.toUnsignedInt(probe.get(ValueLayout.JAVA_BYTE, IoUringLayouts.PROBE_OPS_LEN));
        if (opcode >= len) {
            return false;
        }
        long op = IoUringLayouts.PROBE_OPS + opcode * IoUringLayouts.PROBE_OP_SIZE;
        return (probe.get(ValueLayout.JAVA_SHORT, op + IoUringLayouts.PROBE_OP_FLAGS) & IO_URING_OP_SUPPORTED) != 0;
    }
}
