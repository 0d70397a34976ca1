package dev.proactor.cli;

/**
 * Lines in the format of GNU {@code sha256sum}, so that {@code sha256sum -c} checks them: the hex
 * digest, two spaces (text mode) and the name. A name holding a backslash, a newline or a carriage
 * return is escaped the way coreutils does it: the line starts with a backslash and those three
 * characters become {@code \\}, {@code \n} and {@code \r}.
 */
final class Sha256sumFormat {
    private Sha256sumFormat() {}

    /** The line for {@code hex} and {@code name}, without the line terminator. */
    static String line(String hex, String name) {
        boolean escape = name.indexOf('\\') >= 0 || name.indexOf('\n') >= 0 || name.indexOf('\r') >= 0;
        if (!escape) {
            return hex + "  " + name;
        }
        StringBuilder b = new StringBuilder(hex.length() + name.length() + 8).append('\\').append(hex).append("  ");
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
