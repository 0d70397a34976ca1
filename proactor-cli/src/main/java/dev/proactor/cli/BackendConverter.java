package dev.proactor.cli;

import dev.proactor.BackendChoice;
import java.util.Locale;
import picocli.CommandLine;

/** Parses {@code --backend}: auto, io_uring (or uring) and portable (or nio). */
final class BackendConverter implements CommandLine.ITypeConverter<BackendChoice> {
    @Override
    public BackendChoice convert(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "auto" -> BackendChoice.AUTO;
            case "io_uring", "io-uring", "uring" -> BackendChoice.IO_URING;
            case "portable", "nio" -> BackendChoice.PORTABLE;
            default -> throw new CommandLine.TypeConversionException(
                    "'" + value + "' is not a backend; use auto, io_uring or portable");
        };
    }

    static String name(BackendChoice c) {
        return switch (c) {
            case AUTO -> "auto";
            case IO_URING -> "io_uring";
            case PORTABLE -> "portable";
        };
    }
}
