package dev.proactor.internal.uring;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.internal.uring.ffi.IoUringConstants;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** The one-time availability check and its report. */
class UringSupportTest {

    /**
     * This project's build machine (kernel 6.18, io_uring enabled) must report io_uring
     * available; a CI runner known to lack it passes {@code -Dproactor.uring.expected=false}.
     */
    @Test
    void availableHereWithTheFeaturesTheBackendRelyOn() {
        Assumptions.assumeFalse("false".equals(System.getProperty("proactor.uring.expected")),
                "proactor.uring.expected=false");
        assertThat(UringSupport.isAvailable()).as("cause: %s", UringSupport.unavailabilityCause()).isTrue();
        assertThat(UringSupport.unavailabilityCause()).isEmpty();
        assertThat(UringSupport.featureNames()).contains("NODROP", "EXT_ARG");
        assertThat(UringSupport.setupFlagNames()).contains("CQSIZE");
        assertThat(UringSupport.supportedOpcodeNames()).contains("NOP", "READ", "WRITE", "TIMEOUT");
        assertThat(UringSupport.probe()).isPresent();
        assertThat(UringSupport.kernelRelease()).isNotBlank();
    }

    @Test
    void systemPropertyForcesItOff() {
        assertThat(UringSupport.evaluate(true, "Linux", true).cause())
                .hasValueSatisfying(c -> assertThat(c).contains(UringSupport.DISABLE_PROPERTY));
    }

    @Test
    void otherPlatformsAreUnsupported() {
        assertThat(UringSupport.evaluate(false, "Windows 11", true).cause())
                .hasValueSatisfying(c -> assertThat(c).startsWith("unsupported platform").contains("Windows 11"));
        assertThat(UringSupport.evaluate(false, "Linux", false).cause())
                .hasValueSatisfying(c -> assertThat(c).contains("architecture"));
    }

    @Test
    void causesNameTheResponsibleSetting() {
        assertThat(SetupDiagnosis.explain(IoUringConstants.ENOSYS, "x"))
                .isEqualTo("io_uring_setup returned ENOSYS: the kernel lacks io_uring or a seccomp filter hides it");
        assertThat(SetupDiagnosis.explain(IoUringConstants.EPERM, "x"))
                .startsWith("io_uring_setup returned EPERM: ")
                .containsAnyOf("io_uring_disabled=1", "io_uring_disabled=2", "seccomp");
        assertThat(SetupDiagnosis.explain(IoUringConstants.ENOMEM, "x"))
                .contains("RLIMIT_MEMLOCK soft=").contains("hard=");
    }
}
