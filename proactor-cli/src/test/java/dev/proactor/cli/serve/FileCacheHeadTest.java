package dev.proactor.cli.serve;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.FileStat;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
 * second's Date; read-only native segments shared by every response of that second, the body's
 * beside the head's.
 */
class FileCacheHeadTest {
    @TempDir
    Path root;

    private FileCache.Entry entry() throws Exception {
        Path file = Files.writeString(root.resolve("b.txt"), "bravo bravo\n");
        Instant modified = Instant.ofEpochSecond(1_700_000_000L, 123_000_000);
        FileStat stat = new FileStat(12, 8, 4096, 0100644, 1, 1, modified, modified, modified);
        ByteBuffer body = ByteBuffer.allocateDirect(12).put("bravo bravo\n".getBytes(StandardCharsets.ISO_8859_1));
        return new FileCache.Entry("b.txt", file, null, body.flip().asReadOnlyBuffer(), stat, 0);
    }

    private static String text(MemorySegment s) {
        return new String(s.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.ISO_8859_1);
    }

    private static String expected(FileCache.Entry e, long date) {
        return new String(ResponseHead.okPrefix(date), StandardCharsets.ISO_8859_1)
                + new String(e.fixed200, StandardCharsets.ISO_8859_1) + "\r\n";
    }

    @Test
    void theHeadIsTheFieldByFieldHeadOfTheSecondAskedFor() throws Exception {
        FileCache.Entry e = entry();
        long first = 1_800_000_000L;
        String one = text(e.keepAliveHead(first).head());
        assertThat(one).isEqualTo(expected(e, first)).contains("Date: " + HttpDates.ofSecond(first) + "\r\n")
                .startsWith("HTTP/1.1 200 OK\r\n").endsWith("Accept-Ranges: bytes\r\n\r\n")
                .doesNotContain("Connection");
        String next = text(e.keepAliveHead(first + 1).head());
        assertThat(next).isEqualTo(expected(e, first + 1)).isNotEqualTo(one);
        assertThat(text(e.keepAliveHead(first + 1).head())).isEqualTo(next);
    }

    @Test
    void theSecondsHeadAndBodyAreSharedReadOnlyNativeSegments() throws Exception {
        FileCache.Entry e = entry();
        long date = 1_800_000_000L;
        FileCache.DatedHead mine = e.keepAliveHead(date);
        assertThat(mine.head().isReadOnly()).isTrue();
        assertThat(mine.head().isNative()).as("sent in place, without a bounce copy").isTrue();
        assertThat(mine.body().isReadOnly()).isTrue();
        assertThat(text(mine.body())).isEqualTo("bravo bravo\n");
        assertThat(mine.head().isAccessibleBy(Thread.ofPlatform().unstarted(() -> {}))).as("by any thread").isTrue();
        FileCache.DatedHead theirs = e.keepAliveHead(date);
        assertThat(theirs).as("made once a second, shared").isSameAs(mine);
        assertThat(text(theirs.head())).isEqualTo(expected(e, date));
        assertThat(e.keepAliveHead(date + 1)).isNotSameAs(mine);
    }
}
