package dev.proactor.cli.serve;

/**
 * Whether a Host field value is well-formed: RFC 9112 section 3.2's {@code uri-host [ ":" port ]},
 * where {@code uri-host} is RFC 3986 section 3.2.2's {@code IP-literal / IPv4address / reg-name}
 * and {@code port} is {@code *DIGIT}. A server must answer 400 to any other value (RFC 9112
 * section 3.2). Two choices beyond the grammar: an empty host is refused (RFC 9110 section 4.2.1:
 * an "http" URI with an empty host is invalid, and a request in origin form names an "http" URI
 * built from Host; nginx refuses it too), and a zone identifier in an IPv6 literal (RFC 6874) is
 * refused, since RFC 9112's grammar does not include it. Which names are served is not decided
 * here: every well-formed host is served the same tree.
 */
final class HostSyntax {
    private HostSyntax() {}

    /** @param value the field value, its surrounding whitespace already removed */
    static boolean isValid(String value) {
        if (value.startsWith("[")) {
            int close = value.indexOf(']');
            if (close < 0) {
                return false;
            }
            String literal = value.substring(1, close);
            if (!isIpv6(literal) && !isIpvFuture(literal)) {
                return false;
            }
            String rest = value.substring(close + 1);
            if (rest.isEmpty()) {
                return true;
            }
            if (rest.charAt(0) != ':') {
                return false;
            }
            return isDigits(rest, 1, rest.length());
        }
        // Checked in place, without substrings: this runs on every request.
        int colon = value.indexOf(':');
        int hostEnd = colon < 0 ? value.length() : colon;
        // An IPv4address is also a reg-name by its characters, so one check covers both.
        return isRegName(value, hostEnd) && (colon < 0 || isDigits(value, colon + 1, value.length()));
    }

    /** reg-name = *( unreserved / pct-encoded / sub-delims ) in {@code s[0, end)}, here at least one character. */
    private static boolean isRegName(String s, int end) {
        if (end == 0) {
            return false;
        }
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            if (c == '%') {
                if (i + 2 >= end || !isHex(s.charAt(i + 1)) || !isHex(s.charAt(i + 2))) {
                    return false;
                }
                i += 2;
            } else if (!isUnreserved(c) && !isSubDelim(c)) {
                return false;
            }
        }
        return true;
    }

    /** IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" ). */
    private static boolean isIpvFuture(String s) {
        if (s.length() < 4 || (s.charAt(0) != 'v' && s.charAt(0) != 'V')) {
            return false;
        }
        int dot = s.indexOf('.');
        if (dot < 2) {
            return false;
        }
        for (int i = 1; i < dot; i++) {
            if (!isHex(s.charAt(i))) {
                return false;
            }
        }
        if (dot == s.length() - 1) {
            return false;
        }
        for (int i = dot + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!isUnreserved(c) && !isSubDelim(c) && c != ':') {
                return false;
            }
        }
        return true;
    }

    /**
     * RFC 3986's IPv6address: eight 16-bit groups of one to four hex digits, or fewer with one
     * "::" standing for the missing ones; the last 32 bits may be written as an IPv4address.
     */
    static boolean isIpv6(String s) {
        int gap = s.indexOf("::");
        if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
            return false;
        }
        int groups;
        if (gap < 0) {
            groups = groups(s, true);
            return groups == 8;
        }
        int before = groups(s.substring(0, gap), false);
        String tail = s.substring(gap + 2);
        int after = groups(tail, true);
        return before >= 0 && after >= 0 && before + after <= 7;
    }

    /**
     * How many 16-bit groups a colon-separated run of groups holds (0 for an empty run), or -1 if
     * it is malformed; with {@code ipv4Last} its last piece may be an IPv4address, counting two.
     */
    private static int groups(String run, boolean ipv4Last) {
        if (run.isEmpty()) {
            return 0;
        }
        String[] pieces = run.split(":", -1);
        int groups = 0;
        for (int i = 0; i < pieces.length; i++) {
            String p = pieces[i];
            if (ipv4Last && i == pieces.length - 1 && p.indexOf('.') >= 0) {
                if (!isIpv4(p)) {
                    return -1;
                }
                groups += 2;
            } else if (p.isEmpty() || p.length() > 4 || !p.chars().allMatch(c -> isHex((char) c))) {
                return -1;
            } else {
                groups++;
            }
        }
        return groups;
    }

    /** IPv4address: four dec-octets 0 to 255, without leading zeros. */
    private static boolean isIpv4(String s) {
        String[] octets = s.split("\\.", -1);
        if (octets.length != 4) {
            return false;
        }
        for (String o : octets) {
            if (o.isEmpty() || o.length() > 3 || !isDigits(o) || (o.length() > 1 && o.charAt(0) == '0')
                    || Integer.parseInt(o) > 255) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDigits(String s) {
        return isDigits(s, 0, s.length());
    }

    /** Whether {@code s[from, to)} holds only ASCII digits (or nothing). */
    private static boolean isDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean isHex(char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }

    private static boolean isUnreserved(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                || c == '_' || c == '~';
    }

    private static boolean isSubDelim(char c) {
        return "!$&'()*+,;=".indexOf(c) >= 0;
    }
}
