package dev.proactor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.proactor.test.EachBackend;
import dev.proactor.test.EachBackendExtension;
import dev.proactor.test.ProactorFixture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code proactor probe} and {@code probe --json}, run in-process: both parse (the text line by
 * line, the JSON by a strict parser), both name the backend that was chosen, and they agree field
 * for field. A backend named on the command line (every variant of the core harness,
 * {@link EachBackend}) must be the one chosen and said to be requested, and on io_uring-fallback
 * every operation with a fallback must say it takes it; {@code auto} must choose one of the two
 * backends and say it chose automatically.
 */
class ProbeCommandTest {

    @EachBackend
    void aRequestedBackendIsChosenAndTheTextAndTheJsonAgree(ProactorFixture variant) throws Exception {
        CommandRun text = CommandRun.of(variant, "probe");
        CommandRun json = CommandRun.of(variant, "probe", "--json");
        Map<String, String> operations = parseAndCompare(text, json,
                EachBackendExtension.shortName(variant.backend()), "requested");
        if (variant.uringMask() != null) {
            // NOP and TIMEOUT carry the fallbacks themselves (LISTEN and SOCKET_OPTION are settled
            // by a NOP): never masked.
            operations.forEach((kind, how) -> {
                if (List.of("nop", "timer", "listen", "socket_option").contains(kind)) {
                    assertThat(how).as(kind).doesNotContain("fallback");
                } else {
                    assertThat(how).as(kind).startsWith("fallback: ").contains("masked by "
                            + ProactorFixture.URING_MASK_PROPERTY);
                }
            });
        } else {
            assertThat(operations.values()).noneMatch(how -> how.contains(ProactorFixture.URING_MASK_PROPERTY));
        }
    }

    @Test
    void autoChoosesABackendAndSaysSo() {
        CommandRun text = CommandRun.of("probe", "--backend", "auto");
        CommandRun json = CommandRun.of("probe", "--backend", "auto", "--json");
        parseAndCompare(text, json, null, "auto");
    }

    /**
     * Parses both reports and checks that they agree and that the backend chosen is {@code backend}
     * (either, when null) for a reason starting with {@code reason}; returns the operations.
     */
    private static Map<String, String> parseAndCompare(CommandRun text, CommandRun json, String backend,
            String reason) {
        assertThat(text.err()).isEmpty();
        assertThat(json.err()).isEmpty();
        assertThat(text.exitCode()).isZero();
        assertThat(json.exitCode()).isZero();

        Text t = Text.parse(text.out());
        @SuppressWarnings("unchecked")
        Map<String, Object> j = (Map<String, Object>) new Json(json.out().strip()).document();

        String chosen = (String) j.get("backend");
        String why = (String) j.get("reason");
        if (backend != null) {
            assertThat(chosen).isEqualTo(backend);
        } else {
            assertThat(chosen).isIn("io_uring", "portable");
        }
        assertThat(why).startsWith(reason);
        assertThat(t.fields.get("backend")).isEqualTo(chosen + " (" + why + ")");
        for (String key : List.of("os", "kernel", "java")) {
            assertThat(t.fields.get(key)).as(key).isEqualTo(j.get(key)).isNotBlank();
        }
        boolean uring = (Boolean) j.get("ioUringAvailable");
        if (uring) {
            assertThat(t.fields.get("io_uring")).isEqualTo("available");
            assertThat(j.get("ioUringUnavailableCause")).isNull();
            assertThat(words(t.fields.get("setup flags"))).isEqualTo(j.get("ioUringSetupFlags"));
            assertThat(words(t.fields.get("features"))).isEqualTo(j.get("ioUringFeatures"));
            List<String> opcodes = words(j.get("ioUringOpcodes"));
            assertThat(opcodes).contains("NOP");
            assertThat(t.fields.get("opcodes")).isEqualTo(opcodes.size() + ": " + String.join(" ", opcodes));
        } else {
            assertThat(t.fields.get("io_uring")).isEqualTo("unavailable: " + j.get("ioUringUnavailableCause"));
            assertThat(t.fields).doesNotContainKeys("setup flags", "features", "opcodes");
        }
        // Every operation the probe lists is performed by the chosen backend, in both forms alike.
        assertThat(t.operations).isEqualTo(j.get("operations"));
        assertThat(t.operations).containsKeys("nop", "read", "accept", "send");
        assertThat(t.operations.get("nop")).startsWith(chosen);
        assertThat(t.notes).isEqualTo(j.get("notes"));
        return t.operations;
    }

    private static List<String> words(Object joined) {
        if (joined instanceof List<?> list) {
            return list.stream().map(String.class::cast).toList();
        }
        String s = (String) joined;
        return s.isEmpty() ? List.of() : Arrays.asList(s.split(" "));
    }

    /** The text report: {@code key: value} lines, the indented operations, the notes. */
    private record Text(Map<String, String> fields, Map<String, String> operations, List<String> notes) {
        static Text parse(String out) {
            Map<String, String> fields = new LinkedHashMap<>();
            Map<String, String> operations = new LinkedHashMap<>();
            List<String> notes = new ArrayList<>();
            boolean inOperations = false;
            for (String line : out.split(System.lineSeparator())) {
                if (line.startsWith("note: ")) {
                    notes.add(line.substring("note: ".length()));
                } else if (line.equals("operations:")) {
                    inOperations = true;
                } else if (inOperations && line.startsWith("  ")) {
                    String[] kv = line.strip().split(" +", 2);
                    assertThat(kv).as("operation line '%s'", line).hasSize(2);
                    operations.put(kv[0], kv[1]);
                } else {
                    assertThat(inOperations).as("a field line after the operations: '%s'", line).isFalse();
                    int colon = line.indexOf(": ");
                    assertThat(colon).as("field line '%s'", line).isPositive();
                    String value = line.substring(colon + 1).strip();
                    assertThat(fields.put(line.substring(0, colon), value)).as("field twice: '%s'", line).isNull();
                }
            }
            return new Text(fields, operations, notes);
        }
    }

    /**
     * A strict JSON parser for the report: objects (into insertion-ordered maps), arrays, strings
     * with the escapes JSON defines, true, false and null. Numbers are refused: the report has none.
     * Anything else, or trailing text, fails the test.
     */
    private static final class Json {
        private final String s;
        private int i;

        Json(String s) {
            this.s = s;
        }

        Object document() {
            Object v = value();
            space();
            assertThat(i).as("trailing text after the JSON value: '%s'", s.substring(i)).isEqualTo(s.length());
            return v;
        }

        private Object value() {
            space();
            assertThat(i).as("JSON ended early").isLessThan(s.length());
            char c = s.charAt(i);
            return switch (c) {
                case '{' -> object();
                case '[' -> array();
                case '"' -> string();
                case 't' -> literal("true", Boolean.TRUE);
                case 'f' -> literal("false", Boolean.FALSE);
                case 'n' -> literal("null", null);
                default -> throw new AssertionError("unexpected '" + c + "' at " + i + " in " + s);
            };
        }

        private Map<String, Object> object() {
            Map<String, Object> m = new LinkedHashMap<>();
            expect('{');
            space();
            if (peek() == '}') {
                i++;
                return m;
            }
            while (true) {
                space();
                String key = string();
                space();
                expect(':');
                assertThat(m.containsKey(key)).as("key '%s' twice", key).isFalse();
                m.put(key, value());
                space();
                if (peek() == ',') {
                    i++;
                } else {
                    expect('}');
                    return m;
                }
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            expect('[');
            space();
            if (peek() == ']') {
                i++;
                return list;
            }
            while (true) {
                list.add(value());
                space();
                if (peek() == ',') {
                    i++;
                } else {
                    expect(']');
                    return list;
                }
            }
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = s.charAt(i++);
                if (c == '"') {
                    return b.toString();
                }
                assertThat((int) c).as("raw control character in a string at %d", i - 1).isGreaterThanOrEqualTo(0x20);
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/' -> b.append(e);
                    case 'b' -> b.append('\b');
                    case 'f' -> b.append('\f');
                    case 'n' -> b.append('\n');
                    case 'r' -> b.append('\r');
                    case 't' -> b.append('\t');
                    case 'u' -> {
                        b.append((char) Integer.parseInt(s.substring(i, i + 4), 16));
                        i += 4;
                    }
                    default -> throw new AssertionError("bad escape \\" + e + " at " + (i - 2));
                }
            }
        }

        private Object literal(String word, Object v) {
            assertThat(s.startsWith(word, i)).as("'%s' at %d", word, i).isTrue();
            i += word.length();
            return v;
        }

        private char peek() {
            assertThat(i).as("JSON ended early").isLessThan(s.length());
            return s.charAt(i);
        }

        private void expect(char c) {
            assertThat(peek()).as("at %d", i).isEqualTo(c);
            i++;
        }

        private void space() {
            while (i < s.length() && " \t\r\n".indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }
    }
}
