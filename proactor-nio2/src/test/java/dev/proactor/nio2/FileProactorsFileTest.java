package dev.proactor.nio2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.proactor.BackendChoice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The one switch, {@code dev.proactor.nio2.backend}: its values, and a clear error for others. */
class FileProactorsFileTest {

    @AfterEach
    void clear() {
        System.clearProperty(FileProactors.BACKEND_PROPERTY);
    }

    @Test
    void theBackendPropertyNamesAutoIoUringOrPortable() {
        assertThat(FileProactors.configuredBackend()).isEqualTo(BackendChoice.AUTO);
        System.setProperty(FileProactors.BACKEND_PROPERTY, "io_uring");
        assertThat(FileProactors.configuredBackend()).isEqualTo(BackendChoice.IO_URING);
        System.setProperty(FileProactors.BACKEND_PROPERTY, " Portable ");
        assertThat(FileProactors.configuredBackend()).isEqualTo(BackendChoice.PORTABLE);
        assertThat(FileProactors.get(BackendChoice.PORTABLE).backendName()).isEqualTo("portable");
        System.setProperty(FileProactors.BACKEND_PROPERTY, "epoll");
        assertThatThrownBy(FileProactors::configuredBackend).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("epoll").hasMessageContaining("auto, io_uring or portable");
    }
}
