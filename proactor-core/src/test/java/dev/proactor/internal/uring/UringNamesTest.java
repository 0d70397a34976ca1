package dev.proactor.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.uring.ffi.IoUringConstants;
import org.junit.jupiter.api.Test;

class UringNamesTest {

    @Test
    void opcodeNamesFollowTheConstants() {
        assertThat(UringNames.opcodeName(IoUringConstants.IORING_OP_NOP)).isEqualTo("NOP");
        assertThat(UringNames.opcodeName(IoUringConstants.IORING_OP_READ)).isEqualTo("READ");
        assertThat(UringNames.opcodeName(IoUringConstants.IORING_OP_LINK_TIMEOUT)).isEqualTo("LINK_TIMEOUT");
        assertThat(UringNames.opcodeName(IoUringConstants.IORING_OP_SENDMSG_ZC)).isEqualTo("SENDMSG_ZC");
        assertThat(UringNames.opcodeName(IoUringConstants.IORING_OP_PIPE)).isEqualTo("PIPE");
        assertThat(UringNames.opcodeName(IoUringConstants.IORING_OP_LAST - 1)).isEqualTo("PIPE");
        assertThat(UringNames.opcodeName(IoUringConstants.IORING_OP_LAST)).isEqualTo("OP_63");
    }

    @Test
    void bitMasksDecodeInBitOrderWithUnknownBitsNamed() {
        assertThat(UringNames.featureNames(IoUringConstants.IORING_FEAT_NODROP | IoUringConstants.IORING_FEAT_EXT_ARG))
                .containsExactly("NODROP", "EXT_ARG");
        assertThat(UringNames.featureNames(1 << 30)).containsExactly("FEAT_BIT_30");
        assertThat(UringNames.setupFlagNames(IoUringConstants.IORING_SETUP_SINGLE_ISSUER
                | IoUringConstants.IORING_SETUP_DEFER_TASKRUN | IoUringConstants.IORING_SETUP_CQE_MIXED))
                .containsExactly("SINGLE_ISSUER", "DEFER_TASKRUN", "CQE_MIXED");
        assertThat(UringNames.setupFlagNames(0)).isEmpty();
    }
}
