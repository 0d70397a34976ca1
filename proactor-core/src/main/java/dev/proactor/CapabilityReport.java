package dev.proactor;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * What the platform offers and what the proactor made of it: the backend chosen and why, the
 * kernel, the io_uring features and opcodes found, and why anything is off.
 *
 * @param backend the backend chosen
 * @param reason why it was chosen
 * @param os operating system name and architecture
 * @param kernel kernel release
 * @param java the Java runtime version
 * @param ioUringAvailable whether io_uring could be set up and probed
 * @param ioUringUnavailableCause why not, when it could not
 * @param ioUringFeatures the {@code IORING_FEAT_*} features the kernel reported
 * @param ioUringSetupFlags the {@code IORING_SETUP_*} flags the ring was created with
 * @param ioUringOpcodes the opcodes the kernel's probe reported as supported
 * @param operations for each operation kind, how this proactor performs it, or why it cannot
 * @param notes anything else that is off, and why
 */
public record CapabilityReport(
        String backend,
        String reason,
        String os,
        String kernel,
        String java,
        boolean ioUringAvailable,
        Optional<String> ioUringUnavailableCause,
        List<String> ioUringFeatures,
        List<String> ioUringSetupFlags,
        List<String> ioUringOpcodes,
        Map<OperationKind, String> operations,
        List<String> notes) {

    /** Copies the collections. */
    public CapabilityReport {
        ioUringFeatures = List.copyOf(ioUringFeatures);
        ioUringSetupFlags = List.copyOf(ioUringSetupFlags);
        ioUringOpcodes = List.copyOf(ioUringOpcodes);
        operations = Map.copyOf(operations);
        notes = List.copyOf(notes);
    }

    /** The report as aligned text lines, for a terminal. */
    public String toText() {
        StringBuilder b = new StringBuilder();
        line(b, "backend", backend + " (" + reason + ")");
        line(b, "os", os);
        line(b, "kernel", kernel);
        line(b, "java", java);
        line(b, "io_uring", ioUringAvailable ? "available" : "unavailable: " + ioUringUnavailableCause.orElse("?"));
        if (ioUringAvailable) {
            line(b, "setup flags", String.join(" ", ioUringSetupFlags));
            line(b, "features", String.join(" ", ioUringFeatures));
            line(b, "opcodes", ioUringOpcodes.size() + ": " + String.join(" ", ioUringOpcodes));
        }
        b.append("operations:\n");
        for (OperationKind k : OperationKind.values()) {
            String how = operations.get(k);
            if (how != null) {
                b.append(String.format("  %-10s %s%n", k.name().toLowerCase(Locale.ROOT), how));
            }
        }
        for (String note : notes) {
            b.append("note: ").append(note).append('\n');
        }
        return b.toString();
    }

    private static void line(StringBuilder b, String key, String value) {
        b.append(String.format("%-12s %s%n", key + ":", value));
    }

    /** The report as a JSON object. */
    public String toJson() {
        StringBuilder b = new StringBuilder("{");
        field(b, "backend", backend).append(',');
        field(b, "reason", reason).append(',');
        field(b, "os", os).append(',');
        field(b, "kernel", kernel).append(',');
        field(b, "java", java).append(',');
        b.append("\"ioUringAvailable\":").append(ioUringAvailable).append(',');
        b.append("\"ioUringUnavailableCause\":");
        if (ioUringUnavailableCause.isPresent()) {
            string(b, ioUringUnavailableCause.get());
        } else {
            b.append("null");
        }
        b.append(',');
        list(b, "ioUringFeatures", ioUringFeatures).append(',');
        list(b, "ioUringSetupFlags", ioUringSetupFlags).append(',');
        list(b, "ioUringOpcodes", ioUringOpcodes).append(',');
        b.append("\"operations\":{");
        boolean first = true;
        for (OperationKind k : OperationKind.values()) {
            String how = operations.get(k);
            if (how != null) {
                if (!first) {
                    b.append(',');
                }
                first = false;
                field(b, k.name().toLowerCase(Locale.ROOT), how);
            }
        }
        b.append("},");
        list(b, "notes", notes);
        return b.append('}').toString();
    }

    private static StringBuilder field(StringBuilder b, String key, String value) {
        string(b, key);
        b.append(':');
        return string(b, value);
    }

    private static StringBuilder list(StringBuilder b, String key, List<String> values) {
        string(b, key);
        b.append(":[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            string(b, values.get(i));
        }
        return b.append(']');
    }

    private static StringBuilder string(StringBuilder b, String s) {
        b.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"');
    }
}
