package dev.proactor.internal.uring;

import java.util.BitSet;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Which opcodes the kernel supports, as answered once by {@code IORING_REGISTER_PROBE}.
 * Immutable and safe to share between threads.
 */
public final class Probe {

    private final int lastOp;
    private final BitSet supported;
    private final List<Integer> supportedList;

    Probe(int lastOp, BitSet supported) {
        this.lastOp = lastOp;
        this.supported = (BitSet) supported.clone();
        this.supportedList = IntStream.range(0, supported.length()).filter(supported::get).boxed().toList();
    }

    /** True when the kernel reported {@code IO_URING_OP_SUPPORTED} for the opcode. */
    public boolean supports(int opcode) {
        return opcode >= 0 && supported.get(opcode);
    }

    /** The highest opcode the kernel knows ({@code io_uring_probe.last_op}). */
    public int lastOp() {
        return lastOp;
    }

    /** The supported opcodes, ascending; unmodifiable. */
    public List<Integer> supportedOpcodes() {
        return supportedList;
    }

    /** The supported opcodes by name ({@link UringNames#opcodeName}), ascending. */
    public List<String> supportedOpcodeNames() {
        return supportedList.stream().map(UringNames::opcodeName).toList();
    }

    @Override
    public String toString() {
        return "Probe[lastOp=" + lastOp + ", supported=" + supportedOpcodeNames() + "]";
    }
}
