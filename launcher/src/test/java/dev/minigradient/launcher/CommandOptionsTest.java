package dev.minigradient.launcher;

import static java.util.Map.entry;
import static org.assertj.core.api.Assertions.assertThat;

import dev.minigradient.api.ApiCommand;
import dev.minigradient.api.ApiPortOption;
import dev.minigradient.consensus.AuditOptions;
import dev.minigradient.consensus.ConsensusCommand;
import dev.minigradient.consensus.DeadlineOption;
import dev.minigradient.consensus.ExactlyOnceOption;
import dev.minigradient.consensus.RedundancyOption;
import dev.minigradient.model.EvaluateCommand;
import dev.minigradient.producer.SubmitCommand;
import dev.minigradient.producer.SubmitOptions;
import dev.minigradient.protocol.cli.KafkaOptions;
import dev.minigradient.protocol.cli.ModelOption;
import dev.minigradient.protocol.cli.ModelRegistryOptions;
import dev.minigradient.protocol.cli.ModelsOptions;
import dev.minigradient.protocol.cli.PartitionsOption;
import dev.minigradient.protocol.cli.ReportOption;
import dev.minigradient.worker.WorkerCommand;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Member;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command's options, and where each is declared: an option several commands share comes from
 * one mixin, with one meaning, one default and one environment variable.
 */
class CommandOptionsTest {
  private static final Set<String> HELP = Set.of("--help", "--version");

  /** The options {@code process-chaos} and {@code soak} share ({@link ProcessChaosRun}). */
  private static final Set<String> PROCESS_CHAOS =
      Set.of(
          "--brokers",
          "--dir",
          "--kafka-port",
          "--markdown",
          "--model",
          "--models-dir",
          "--partitions",
          "--peer-kill-every-s",
          "--peers",
          "--report",
          "--samples",
          "--tasks");

  private static Set<String> with(Set<String> options, String... more) {
    Set<String> all = new TreeSet<>(options);
    all.addAll(Set.of(more));
    return all;
  }

  /** Each command's options, by its name under {@code mini-gradient}, help and version left out. */
  private static final Map<String, Set<String>> OPTIONS =
      Map.ofEntries(
          entry(
              "network",
              Set.of(
                  "--redundancy",
                  "--peers",
                  "--model",
                  "--models-dir",
                  "--samples",
                  "--limit",
                  "--port",
                  "--bootstrap-servers",
                  "--kafka",
                  "--partitions",
                  "--timeout-ms",
                  "--commit-interval-ms",
                  "--exactly-once",
                  "--max-in-flight",
                  "--json",
                  "--report",
                  "--keep-running")),
          entry(
              "inference-worker",
              Set.of(
                  "--bootstrap-servers",
                  "--kafka",
                  "--peer-id",
                  "--instance-id",
                  "--model",
                  "--models-dir",
                  "--key-file",
                  "--stake",
                  "--heartbeat-ms",
                  "--behavior",
                  "--constant-label",
                  "--delay-ms",
                  "--crash-after",
                  "--forge-as",
                  "--partitions")),
          entry(
              "consensus-streams",
              Set.of(
                  "--bootstrap-servers",
                  "--kafka",
                  "--state-dir",
                  "--timeout-ms",
                  "--exactly-once",
                  "--audit-rate",
                  "--newcomer-audit-rate",
                  "--redundancy",
                  "--roster-interval-ms",
                  "--seat-timeout-ms",
                  "--model",
                  "--models-dir",
                  "--seal-key-file",
                  "--partitions",
                  "--instance-id")),
          entry(
              "metrics-api",
              Set.of(
                  "--bootstrap-servers",
                  "--kafka",
                  "--port",
                  "--host",
                  "--default-model-id",
                  "--model",
                  "--models-dir",
                  "--state-dir")),
          entry(
              "task-producer",
              Set.of(
                  "--bootstrap-servers",
                  "--kafka",
                  "--model",
                  "--models-dir",
                  "--model-id",
                  "--json",
                  "--report",
                  "--timeout",
                  "--max-in-flight",
                  "--connect-timeout",
                  "--progress",
                  "--requester",
                  "--redundancy")),
          entry(
              "evaluate",
              Set.of(
                  "--model",
                  "--models-dir",
                  "--data",
                  "--idx-images",
                  "--idx-labels",
                  "--heldout",
                  "--limit",
                  "--predictions",
                  "--min-accuracy")),
          entry(
              "simulate",
              Set.of(
                  "--mix",
                  "--tasks",
                  "--model",
                  "--models-dir",
                  "--samples",
                  "--timeout-ms",
                  "--max-in-flight",
                  "--report")),
          entry(
              "simulate trust",
              Set.of(
                  "--tasks",
                  "--runs",
                  "--seed",
                  "--audit-rate",
                  "--newcomer-audit-rate",
                  "--roster-every",
                  "--history",
                  "--frozen",
                  "--report")),
          entry(
              "replay",
              Set.of(
                  "--bootstrap-servers",
                  "--kafka",
                  "--pending-ms",
                  "--read-timeout-s",
                  "--connect-timeout-s",
                  "--report")),
          entry(
              "chaos",
              Set.of(
                  "--tasks",
                  "--peers",
                  "--model",
                  "--models-dir",
                  "--exactly-once",
                  "--samples",
                  "--report")),
          entry(
              "bench",
              Set.of(
                  "--quick",
                  "--tasks",
                  "--only",
                  "--report-dir",
                  "--model",
                  "--models-dir",
                  "--samples")),
          entry(
              "local-network",
              Set.of(
                  "--peers",
                  "--brokers",
                  "--kafka-port",
                  "--dir",
                  "--port",
                  "--model",
                  "--models-dir",
                  "--partitions",
                  "--limit",
                  "--samples")),
          entry(
              "broker", Set.of("--brokers", "--kafka-port", "--node-id", "--dir", "--cluster-id")),
          entry("process-chaos", PROCESS_CHAOS),
          entry("soak", with(PROCESS_CHAOS, "--window-s")),
          entry("help", Set.of()));

  /**
   * Where each option that more than one command has is declared. One class: a mixin, one meaning.
   * More than one: the same name with meanings each command's help states.
   */
  private static final Map<String, Set<Class<?>>> SHARED =
      Map.ofEntries(
          entry(
              "--bootstrap-servers",
              Set.of(
                  KafkaOptions.class,
                  NetworkCommand.class)), // network: instead of its own broker, no env
          entry(
              "--kafka",
              Set.of(
                  KafkaOptions.class,
                  NetworkCommand.class)), // network: only with --bootstrap-servers
          entry(
              "--model",
              Set.of(
                  ModelsOptions.class,
                  ModelOption.class)), // the network's models; the one a command works with
          entry("--models-dir", Set.of(ModelRegistryOptions.class)),
          entry("--samples", Set.of(SamplesOption.class)),
          entry("--exactly-once", Set.of(ExactlyOnceOption.class)),
          entry("--partitions", Set.of(PartitionsOption.class)),
          entry(
              "--redundancy",
              Set.of(
                  RedundancyOption.class,
                  SubmitCommand.class)), // the network's default; one task's
          entry(
              "--timeout-ms",
              Set.of(
                  DeadlineOption.class, SimulateCommand.class)), // simulate's own shorter deadline
          entry(
              "--max-in-flight",
              Set.of(SubmitOptions.class, SimulateCommand.class)), // simulate's own lower window
          entry("--json", Set.of(SubmitOptions.class)),
          entry("--report", Set.of(ReportOption.class)),
          entry("--audit-rate", Set.of(AuditOptions.class)),
          entry("--newcomer-audit-rate", Set.of(AuditOptions.class)),
          entry("--port", Set.of(ApiPortOption.class)),
          entry(
              "--state-dir",
              Set.of(
                  ConsensusCommand.class,
                  ApiCommand.class)), // each its own folder under MG_STATE_DIR
          entry(
              "--tasks",
              Set.of(
                  SimulateCommand.class,
                  SimulateTrustCommand.class,
                  ChaosCommand.class,
                  BenchCommand.class,
                  ProcessChaosCommand.class,
                  SoakCommand.class)),
          entry(
              "--peers",
              Set.of(
                  NetworkCommand.class,
                  ChaosCommand.class,
                  LocalNetworkCommand.class,
                  ProcessChaosRun.class)), // chaos: honest peers, at least 4
          entry("--brokers", Set.of(LocalClusterOptions.class)),
          entry("--kafka-port", Set.of(LocalClusterOptions.class)),
          entry(
              "--dir",
              Set.of(
                  LocalNetworkCommand.class,
                  BrokerCommand.class,
                  ProcessChaosRun
                      .class)), // a run's folder (local-network, the chaos runs); a node's data
          entry(
              "--instance-id",
              Set.of(
                  WorkerCommand.class,
                  ConsensusCommand
                      .class)), // static group membership; a peer's defaults to the host name
          entry("--markdown", Set.of(ProcessChaosRun.class)),
          entry("--peer-kill-every-s", Set.of(ProcessChaosRun.class)),
          entry(
              "--limit",
              Set.of(
                  NetworkCommand.class,
                  EvaluateCommand.class,
                  LocalNetworkCommand.class))); // samples submitted; IDX examples scored

  /** Every command under {@code mini-gradient}, by its name path, e.g. {@code simulate trust}. */
  private static Map<String, CommandLine> commands() {
    Map<String, CommandLine> all = new TreeMap<>();
    collect("", MiniGradient.commandLine(), all);
    return all;
  }

  private static void collect(String prefix, CommandLine cmd, Map<String, CommandLine> into) {
    cmd.getSubcommands()
        .forEach(
            (name, sub) -> {
              if (sub.getCommandSpec().aliases().length == 0
                  || !name.equals(sub.getCommandSpec().aliases()[0])) {
                String path = prefix.isEmpty() ? name : prefix + " " + name;
                into.put(path, sub);
                collect(path, sub, into);
              }
            });
  }

  private static String longName(OptionSpec o) {
    return o.longestName();
  }

  private static Class<?> declaredIn(OptionSpec o) {
    return ((Member) o.userObject()).getDeclaringClass();
  }

  @Test
  void everyCommandHasTheOptionsItDocuments() {
    // given every command of the executable
    Map<String, Set<String>> actual = new TreeMap<>();

    // when its options are listed
    commands()
        .forEach(
            (name, cmd) -> {
              Set<String> names = new TreeSet<>();
              cmd.getCommandSpec().options().stream()
                  .map(CommandOptionsTest::longName)
                  .filter(n -> !HELP.contains(n))
                  .forEach(names::add);
              actual.put(name, names);
            });

    // then they are the ones listed here
    assertThat(actual).isEqualTo(new TreeMap<>(OPTIONS));
  }

  @Test
  void anOptionSeveralCommandsShareIsDeclaredOnceInAMixin() {
    // given where each option of each command is declared
    Map<String, Set<String>> commandsByOption = new TreeMap<>();
    Map<String, Set<Class<?>>> declarations = new TreeMap<>();
    commands()
        .forEach(
            (name, cmd) ->
                cmd.getCommandSpec().options().stream()
                    .filter(o -> !HELP.contains(longName(o)))
                    .forEach(
                        o -> {
                          commandsByOption
                              .computeIfAbsent(longName(o), k -> new TreeSet<>())
                              .add(name);
                          declarations
                              .computeIfAbsent(longName(o), k -> new HashSet<>())
                              .add(declaredIn(o));
                        }));

    // when the options more than one command has are picked out
    Map<String, Set<Class<?>>> shared = new TreeMap<>();
    commandsByOption.forEach(
        (option, commands) -> {
          if (commands.size() > 1) {
            shared.put(option, declarations.get(option));
          }
        });

    // then each comes from the declarations listed, and a single one is a mixin, not a command
    assertThat(shared).isEqualTo(new TreeMap<>(SHARED));
    SHARED.forEach(
        (option, classes) -> {
          if (classes.size() == 1) {
            Class<?> mixin = classes.iterator().next();
            assertThat(mixin.isAnnotationPresent(CommandLine.Command.class))
                .as(option + " in " + mixin)
                .isFalse();
          }
        });
  }

  @Test
  void aSharedOptionHasOneDefaultAndOneEnvironmentVariable() {
    // given the default value each command's declaration of a one-mixin option carries
    Map<String, Set<String>> defaults = new TreeMap<>();
    commands()
        .forEach(
            (name, cmd) ->
                cmd.getCommandSpec().options().stream()
                    .filter(o -> SHARED.getOrDefault(longName(o), Set.of()).size() == 1)
                    .forEach(
                        o ->
                            defaults
                                .computeIfAbsent(longName(o), k -> new TreeSet<>())
                                .add(
                                    ((AnnotatedElement) o.userObject())
                                        .getAnnotation(CommandLine.Option.class)
                                        .defaultValue())));

    // then each has one, and the consensus settings read the variables the README lists
    defaults.forEach((option, values) -> assertThat(values).as(option).hasSize(1));
    assertThat(defaults.get("--exactly-once")).containsExactly("${env:MG_EXACTLY_ONCE:-false}");
    assertThat(defaults.get("--redundancy")).isNull(); // two declarations: checked below
    assertThat(defaults.get("--port")).containsExactly("${env:MG_API_PORT:-8000}");
    assertThat(defaults.get("--partitions")).containsExactly("6");
  }

  @Test
  void aFlagWinsOverTheDefaultBothWays() {
    // given a command with the guarantee option
    ChaosCommand c = new ChaosCommand();
    CommandLine chaos = new CommandLine(c);

    // when it is parsed with and without the flag, then the flag sets it and its negation clears it
    chaos.parseArgs("--exactly-once");
    assertThat(c.guarantee.exactlyOnce()).isTrue();
    chaos.parseArgs("--no-exactly-once");
    assertThat(c.guarantee.exactlyOnce()).isFalse();
  }

  @Test
  void aBadSharedOptionIsOneLineOnStderrAndExitTwo() {
    // given the network command and a redundancy no committee can have
    StringWriter err = new StringWriter();
    CommandLine cmd = MiniGradient.commandLine();
    cmd.setOut(new PrintWriter(new StringWriter()));
    cmd.setErr(new PrintWriter(err));

    // when it runs
    int code = cmd.execute("network", "--redundancy", "0");

    // then it stops before starting anything: one line naming the option, exit 2
    assertThat(code).isEqualTo(2);
    assertThat(err.toString().strip())
        .startsWith("network: ")
        .contains("--redundancy")
        .doesNotContain("\n");
  }
}
