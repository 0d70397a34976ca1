package dev.proactor.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.FileStat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cached entry's prebuilt keep-alive head: the same bytes a head built field by field has, dated
 * the second it is asked for, so a head shared across a second's requests never carries another
 * second's Date; and a caller's view of it cannot disturb the next caller's.
 */
class FileCacheHeadTest {
    @TempDir
    Path root;

    private FileCache.Entry entry() throws Exception {
        Path file = Files.writeString(root.resolve("b.txt"), "bravo bravo\n");
        Instant modified = Instant.ofEpochSecond(1_700_000_000L, 123_000_000);
        FileStat stat = new FileStat(12, 8, 4096, 0100644, 1, 1, modified, modified, modified);
        return new FileCache.Entry("b.txt", file, null, ByteBuffer.allocateDirect(12), stat, 0);
    }

    private static String text(ByteBuffer b) {
        byte[] bytes = new byte[b.remaining()];
        b.duplicate().get(bytes);
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    private static String expected(FileCache.Entry e, long date) {
        return new String(ResponseHead.okPrefix(date), StandardCharsets.ISO_8859_1)
                + new String(e.fixed200, StandardCharsets.ISO_8859_1) + "\r\n";
    }

    @Test
    void theHeadIsTheFieldByFieldHeadOfTheSecondAskedFor() throws Exception {
        FileCache.Entry e = entry();
        long first = 1_800_000_000L;
        String one = text(e.keepAliveHead(first));
        assertThat(one).isEqualTo(expected(e, first)).contains("Date: " + HttpDates.ofSecond(first) + "\r\n")
                .startsWith("HTTP/1.1 200 OK\r\n").endsWith("Accept-Ranges: bytes\r\n\r\n")
                .doesNotContain("Connection");
        String next = text(e.keepAliveHead(first + 1));
        assertThat(next).isEqualTo(expected(e, first + 1)).isNotEqualTo(one);
        assertThat(text(e.keepAliveHead(first + 1))).isEqualTo(next);
    }

    @Test
    void eachCallerGetsItsOwnReadOnlyView() throws Exception {
        FileCache.Entry e = entry();
        long date = 1_800_000_000L;
        ByteBuffer mine = e.keepAliveHead(date);
        assertThat(mine.isReadOnly()).isTrue();
        assertThat(mine.isDirect()).as("sent without a bounce copy").isTrue();
        mine.position(mine.limit()); // as a send that consumed it leaves it
        ByteBuffer theirs = e.keepAliveHead(date);
        assertThat(theirs.position()).isZero();
        assertThat(text(theirs)).isEqualTo(expected(e, date));
    }
}
