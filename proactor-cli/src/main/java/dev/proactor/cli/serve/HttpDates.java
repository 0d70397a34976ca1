package dev.proactor.cli.serve;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * HTTP dates (RFC 9110 section 5.6.7): IMF-fixdate out, the three historic forms in. The Date
 * header's text is made once a second and shared: formatting it per response would dominate a
 * small response's cost.
 */
final class HttpDates {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);
    // Parsing skips the day name: it is redundant, and a two-digit year would make it disagree.
    private static final DateTimeFormatter IMF_FIXDATE_IN =
            DateTimeFormatter.ofPattern("dd MMM yyyy HH:mm:ss 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter RFC_850 =
            DateTimeFormatter.ofPattern("dd-MMM-yy HH:mm:ss 'GMT'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ASCTIME =
            DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss yyyy", Locale.ROOT).withZone(ZoneOffset.UTC);

    private record Cached(long second, String text) {}

    private static volatile Cached now = new Cached(Long.MIN_VALUE, "");

    private HttpDates() {}

    /** The IMF-fixdate of a time, to the second. */
    static String format(Instant t) {
        return IMF_FIXDATE.format(t);
    }

    /** The current time in epoch seconds, the unit of the Date header. */
    static long currentSecond() {
        return System.currentTimeMillis() / 1000;
    }

    /** The IMF-fixdate of an epoch second, shared while that second is the latest one asked for. */
    static String ofSecond(long second) {
        Cached c = now;
        if (c.second != second) {
            c = new Cached(second, format(Instant.ofEpochSecond(second)));
            now = c;
        }
        return c.text;
    }

    /** The epoch second a date names, or {@code Long.MIN_VALUE} if it is none of the HTTP forms (then ignored). */
    static long parseSeconds(String text) {
        if (text == null) {
            return Long.MIN_VALUE;
        }
        String t = text.strip();
        int comma = t.indexOf(", ");
        int space = t.indexOf(' ');
        String afterDay = comma > 0 ? t.substring(comma + 2) : space > 0 ? t.substring(space + 1) : t;
        for (DateTimeFormatter f : new DateTimeFormatter[] {IMF_FIXDATE_IN, RFC_850, ASCTIME}) {
            try {
                ZonedDateTime z = ZonedDateTime.parse(afterDay, f);
                // RFC 850's two-digit years: read as the 21st century unless that lies more than 50 years ahead.
                if (f == RFC_850 && z.getYear() > ZonedDateTime.now(ZoneOffset.UTC).getYear() + 50) {
                    z = z.minusYears(100);
                }
                return z.toEpochSecond();
            } catch (DateTimeParseException e) {
                // try the next form
            }
        }
        return Long.MIN_VALUE;
    }
}
