package dev.proactor.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The sha256sum line format (checked against coreutils 9.1's output) and the size option parser. */
class FormatAndSizeTest {
    private static final String HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void plainNamesAreNotEscaped() {
        assertThat(Sha256sumFormat.line(HEX, "dir/a b.txt")).isEqualTo(HEX + "  dir/a b.txt");
    }

    @Test
    void backslashNewlineAndCarriageReturnAreEscapedBehindALeadingBackslash() {
        assertThat(Sha256sumFormat.line(HEX, "a\\b")).isEqualTo("\\" + HEX + "  a\\\\b");
        assertThat(Sha256sumFormat.line(HEX, "c\nd")).isEqualTo("\\" + HEX + "  c\\nd");
        assertThat(Sha256sumFormat.line(HEX, "e\rf")).isEqualTo("\\" + HEX + "  e\\rf");
    }

    @Test
    void sizesTakeBinarySuffixes() {
        SizeConverter c = new SizeConverter();
        assertThat(c.convert("4096")).isEqualTo(4096);
        assertThat(c.convert("64k")).isEqualTo(64 << 10);
        assertThat(c.convert("256KiB")).isEqualTo(256 << 10);
        assertThat(c.convert("1m")).isEqualTo(1 << 20);
        assertThat(c.convert("1MiB")).isEqualTo(1 << 20);
    }

    @Test
    void badSizesAreRefused() {
        SizeConverter c = new SizeConverter();
        for (String bad : new String[] {"", "k", "-1", "0", "1g", "4096m", "12x"}) {
            assertThatThrownBy(() -> c.convert(bad)).as(bad).isInstanceOf(CommandLine.TypeConversionException.class);
        }
    }
}
