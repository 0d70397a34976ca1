package dev.proactor.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The top-level {@code proactor} command: it builds only the subcommand it was asked for, and its
 * help, usage errors and version read as if every subcommand were always there.
 */
class MainTest {

    @Test
    void aNamedSubcommandIsTheOnlyOneBuilt() {
        assertThat(Main.commandLine(false, "hash", "/nowhere").getSubcommands()).containsOnlyKeys("hash");
        assertThat(Main.commandLine(false, "serve", "--help").getSubcommands()).containsOnlyKeys("serve");
        // Nothing else was instantiated: the hash command's object is a HashCommand, no other exists.
        assertThat((Object) Main.commandLine(false, "hash").getSubcommands().get("hash").getCommand())
                .isInstanceOf(HashCommand.class);
    }

    @Test
    void aLoneVersionBuildsNoSubcommandAndPrintsTheVersion() {
        assertThat(Main.commandLine(false, "--version").getSubcommands()).isEmpty();
        CommandRun run = CommandRun.of("--version");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("proactor ").contains("(Java " + Runtime.version() + ")");
    }

    @Test
    void withoutASubcommandNameAllAreBuiltInTheListedOrder() {
        assertThat(Main.commandLine(false).getSubcommands().keySet()).containsExactlyElementsOf(Main.SUBCOMMAND_NAMES);
        assertThat(Main.commandLine(false, "--help").getSubcommands().keySet())
                .containsExactlyElementsOf(Main.SUBCOMMAND_NAMES);
        assertThat(Main.commandLine(false, "help", "hash").getSubcommands().keySet())
                .containsExactlyElementsOf(Main.SUBCOMMAND_NAMES);
    }

    @Test
    void helpListsEverySubcommandWithItsDescription() {
        CommandRun run = CommandRun.of("--help");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("Commands:", "  probe  Print what this platform offers",
                "  serve  Serve the files under DIR", "  hash   Print the SHA-256 of every regular file",
                "  echo ", "  help   Display help information");
    }

    @Test
    void theHelpSubcommandShowsAnotherSubcommandsHelp() {
        CommandRun run = CommandRun.of("help", "hash");
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).startsWith("Usage: proactor hash ");
    }

    @Test
    void anUnknownSubcommandIsAUsageErrorThatListsTheKnownOnes() {
        CommandRun run = CommandRun.of("nope");
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("Unmatched argument at index 0: 'nope'", "  serve ", "  hash ");
    }

    @Test
    void noSubcommandIsAUsageErrorNamingThemAll() {
        CommandRun run = CommandRun.of();
        assertThat(run.exitCode()).isEqualTo(2);
        assertThat(run.err()).contains("a command is required: probe, serve, hash, echo, help");
    }
}
