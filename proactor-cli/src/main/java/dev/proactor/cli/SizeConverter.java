package dev.proactor.cli;

import java.util.Locale;
import picocli.CommandLine;

/** Parses a byte count: a number with an optional binary suffix, as in 4096, 64k, 256KiB or 1m. */
final class SizeConverter implements CommandLine.ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        int shift = 0;
        String digits = v;
        for (String[] suffix : new String[][] {{"kib", "10"}, {"mib", "20"}, {"k", "10"}, {"m", "20"}, {"b", "0"}}) {
            if (v.endsWith(suffix[0])) {
                digits = v.substring(0, v.length() - suffix[0].length()).trim();
                shift = Integer.parseInt(suffix[1]);
                break;
            }
        }
        try {
            long n = Long.parseLong(digits) << shift;
            if (n <= 0 || n > Integer.MAX_VALUE || (n >> shift) != Long.parseLong(digits)) {
                throw new NumberFormatException();
            }
            return (int) n;
        } catch (NumberFormatException e) {
            throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a size; use bytes or a k/m suffix, as in 65536 or 256k");
        }
    }
}
