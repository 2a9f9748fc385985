package dev.engram.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code engram} command line: dispatches to one subcommand per job. */
@Command(name = "engram", mixinStandardHelpOptions = true, scope = CommandLine.ScopeType.INHERIT,
        version = "engram 0.1.0",
        description = "Knowledge-injection compiler for neural networks.",
        subcommands = {CommandLine.HelpCommand.class,
                InspectCommand.class,
                RunCommand.class,
                ApplyCommand.class,
                RevertCommand.class,
                PatchCommand.class,
                ConvertCommand.class,
                VerifyCommand.class,
                BenchCommand.class,
                CompileCommand.class,
                CheckCommand.class,
                FmtCommand.class,
                TrainCommand.class,
                DemoCommand.class,
                ReportCommand.class,
                LearnCommand.class,
                DictCommand.class})
public final class Main implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** Builds the command line with every subcommand registered. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            cmd.getErr().println("engram: error: " + ex.getMessage());
            return 2;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
