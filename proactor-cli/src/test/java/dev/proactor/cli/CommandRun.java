package dev.proactor.cli;

import dev.proactor.test.EachBackendExtension;
import dev.proactor.test.ProactorFixture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

/** One run of the command in-process, with what it printed. */
record CommandRun(int exitCode, String out, String err) {

    static CommandRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new CommandRun(code, out.toString(), err.toString());
    }

    /**
     * Runs {@code command} on {@code variant}'s backend ({@code --backend} goes right after the
     * command's name) with the variant's opcode mask in force while it runs.
     */
    static CommandRun of(ProactorFixture variant, String command, String... args) throws Exception {
        return variant.callInVariant(() -> of(withBackend(variant, command, args)));
    }

    /** {@code command --backend <variant's backend> args...}, the arguments of {@code Main.run}. */
    static String[] withBackend(ProactorFixture variant, String command, String... args) {
        List<String> all = new ArrayList<>(List.of(command, "--backend",
                EachBackendExtension.shortName(variant.backend())));
        all.addAll(List.of(args));
        return all.toArray(String[]::new);
    }
}
