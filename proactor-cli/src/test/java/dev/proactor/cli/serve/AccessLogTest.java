package dev.proactor.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.ProactorFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;

/** The access log file's bound on lines waiting for the disk, on every variant ({@link EachBackend}). */
class AccessLogTest {
    @TempDir
    Path tmp;

    /**
     * Lines logged far faster than one write at a time can carry them, with room for three lines
     * waiting: each line is either in the file whole, in order, or counted as dropped.
     */
    @EachBackend
    void linesBeyondTheBoundAreDroppedWholeAndCounted(ProactorFixture variant) throws Exception {
        Path file = tmp.resolve("access.log");
        int lines = 5000;
        AccessLog log = AccessLog.toFile(variant.proactor(), file, 200);
        for (int i = 0; i < lines; i++) {
            log.log("127.0.0.1", "GET /" + i + " HTTP/1.1", 200, i);
        }
        log.close().get(20, TimeUnit.SECONDS);
        List<String> written = Files.readAllLines(file);
        assertThat(written.size() + log.dropped()).isEqualTo(lines);
        assertThat(log.dropped()).as("5000 lines cannot all fit one write's wait of 200 characters").isPositive();
        int last = -1;
        for (String l : written) {
            assertThat(l).matches("127\\.0\\.0\\.1 - - \\[.+\\] \"GET /\\d+ HTTP/1\\.1\" 200 (\\d+|-)");
            int n = Integer.parseInt(l.substring(l.indexOf("GET /") + 5, l.indexOf(" HTTP/")));
            assertThat(n).isGreaterThan(last);
            last = n;
        }
    }
}
