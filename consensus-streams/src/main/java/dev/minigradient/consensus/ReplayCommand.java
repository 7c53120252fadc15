package dev.minigradient.consensus;

import dev.minigradient.protocol.Consensus;
import dev.minigradient.protocol.DeadLetters;
import dev.minigradient.protocol.JsonSerde;
import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.Reputation;
import dev.minigradient.protocol.Roster;
import dev.minigradient.protocol.SeatReplacement;
import dev.minigradient.protocol.Settlement;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Topic;
import dev.minigradient.protocol.TopicAdmin;
import dev.minigradient.protocol.TopicSnapshot;
import dev.minigradient.protocol.Topics;
import dev.minigradient.protocol.Vote;
import dev.minigradient.protocol.cli.ClusterCommand;
import dev.minigradient.protocol.cli.ReportOption;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiConsumer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code replay}: audits the network's books from its topics ({@link LedgerReplay}): recomputes
 * every peer's ledger from {@code peers.settlements} and checks it against {@code peers.reputation}
 * (the first settlement of each task and peer counts, as in the app), every task against {@code
 * inference.consensus} (repeated decisions must agree), every verdict against {@code
 * inference.votes}, every committee against {@code network.rosters} and every seat replacement on
 * {@code inference.replacements} against its seat's ranking. Exit 0 when consistent, 1 when it
 * finds a problem, 2 for bad arguments or an unreachable cluster.
 */
@Command(
    name = "replay",
    description = {
      "Audits the network from its topics: replays peers.settlements into each peer's ledger and compares it with peers.reputation;"
          + " checks that every task has a consensus (or a dead letter), repeated ones agreeing, no vote counts twice (the first"
          + " settlement of a task and peer counts), every verdict has its vote, every decision the seats or the quorum made holds"
          + " unanimous seats or more than 2/3 of its weight (one the referee made after an escalation need not), every committee"
          + " is the one network.rosters draws, each replacement on inference.replacements names its seat's next-ranked candidate,"
          + " only seated peers are judged, and every decided task is settled after its deadline.",
      "Run it when no tasks are in flight: the published ledger trails the settlements by one commit.",
      "Exit codes: 0 consistent, 1 problems found, 2 bad arguments or no cluster."
    })
public final class ReplayCommand extends ClusterCommand {
  @Option(
      names = "--pending-ms",
      defaultValue = "15000",
      description =
          "Tasks younger than this may still be undecided, ms: the decision deadline plus a margin (default: ${DEFAULT-VALUE}).")
  long pendingMs;

  @Option(
      names = "--read-timeout-s",
      defaultValue = "120",
      description = "Longest time to read each topic, s (default: ${DEFAULT-VALUE}).")
  long readTimeoutS;

  @Option(
      names = "--connect-timeout-s",
      defaultValue = "5",
      description =
          "How long to wait for the cluster to answer at all, s (default: ${DEFAULT-VALUE}).")
  long connectTimeoutS;

  @Mixin ReportOption report;

  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    if (pendingMs < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--pending-ms must be >= 0");
    }
    if (readTimeoutS < 1 || connectTimeoutS < 1) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--read-timeout-s and --connect-timeout-s must be >= 1");
    }
    KafkaSettings settings = kafka.settings();
    PrintWriter err = spec.commandLine().getErr();
    Duration connect = Duration.ofSeconds(connectTimeoutS);
    try (Admin admin = Admin.create(settings.properties(TopicAdmin.adminTimeouts(connect)))) {
      admin.describeCluster().nodes().get(connectTimeoutS, TimeUnit.SECONDS);
    } catch (ExecutionException | TimeoutException e) {
      err.println(
          "replay: "
              + TopicAdmin.describeFailure(
                  settings, connect, e instanceof ExecutionException ? e.getCause() : e));
      return 2;
    }
    LedgerReplay.Findings f;
    try {
      f = replay(settings, Duration.ofSeconds(readTimeoutS), pendingMs);
    } catch (IllegalStateException | KafkaException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      err.println(
          "replay: "
              + TopicAdmin.describeFailure(
                  settings,
                  Duration.ofSeconds(readTimeoutS),
                  e instanceof org.apache.kafka.common.errors.TimeoutException ? e : cause));
      return 2;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.print(text(f));
    out.flush();
    report.write(f);
    return f.consistent() ? 0 : 1;
  }

  /**
   * Reads every topic the audit needs and runs it.
   *
   * @param kafka the cluster
   * @param timeout the longest read of one topic
   * @param pendingMs tasks younger than this may still be undecided, ms
   * @return the findings
   * @throws IllegalStateException if a topic is missing or cannot be read in time
   */
  public static LedgerReplay.Findings replay(
      KafkaSettings kafka, Duration timeout, long pendingMs) {
    LedgerReplay replay = new LedgerReplay();
    long now = System.currentTimeMillis();
    // malformed records are the dead-letter topic's business: skipped here, quietly
    readValues(
        kafka,
        Topics.ROSTERS,
        Roster.class,
        timeout,
        (r, roster) -> replay.roster(roster, r.timestamp()));
    readValues(
        kafka,
        Topics.TASKS,
        Task.class,
        timeout,
        (r, t) -> {
          if (r.key() != null && r.key().equals(t.taskId())) {
            replay.task(t, r.partition(), r.offset(), r.timestamp());
          } else if (r.key() != null) {
            replay.task(
                r.key(), r.timestamp()); // filed under its key (a mismatching id is dead-lettered)
          }
        });
    // a task is explained by a dead letter of the task itself (not of a vote for it)
    TopicSnapshot.read(
        kafka,
        Topics.DEAD_LETTERS.name(),
        timeout,
        r -> {
          if (Topics.TASKS.name().equals(DeadLetters.header(r.headers(), DeadLetters.TOPIC))) {
            replay.deadLetter(r.key());
          }
        });
    readValues(
        kafka,
        Topics.VOTES,
        Vote.class,
        timeout,
        (r, v) -> {
          if (v.taskId() != null && v.peerId() != null) {
            replay.vote(v.taskId(), v.peerId());
          }
        });
    readValues(
        kafka,
        Topics.REPLACEMENTS,
        SeatReplacement.class,
        timeout,
        (r, s) -> replay.replacement(s));
    readValues(kafka, Topics.CONSENSUS, Consensus.class, timeout, (r, c) -> replay.consensus(c));
    readValues(
        kafka,
        Topics.SETTLEMENTS,
        Settlement.class,
        timeout,
        (r, s) -> {
          if (r.key() != null) {
            replay.settlement(r.key(), s);
          }
        });
    Deserializer<Reputation> ledger = quiet(Reputation.class);
    TopicSnapshot.read(
        kafka,
        Topics.REPUTATION.name(),
        timeout,
        r -> {
          if (r.key() != null) {
            replay.published(
                r.key(), r.value() == null ? null : ledger.deserialize(r.topic(), r.value()));
          }
        });
    return replay.findings(now, pendingMs);
  }

  /**
   * Reads {@code topic} and hands each record whose value decodes, with that value, to {@code
   * each}; tombstones and malformed records are skipped.
   */
  private static <T> void readValues(
      KafkaSettings kafka,
      Topic<?> topic,
      Class<T> type,
      Duration timeout,
      BiConsumer<ConsumerRecord<String, byte[]>, T> each) {
    Deserializer<T> values = quiet(type);
    TopicSnapshot.read(
        kafka,
        topic.name(),
        timeout,
        r -> {
          T value = r.value() == null ? null : values.deserialize(r.topic(), r.value());
          if (value != null) {
            each.accept(r, value);
          }
        });
  }

  /** A deserializer that reads a malformed record as null, without logging. */
  private static <T> Deserializer<T> quiet(Class<T> type) {
    var strict = new JsonSerde<>(type).deserializer();
    return (topic, data) -> {
      try {
        return strict.deserialize(topic, data);
      } catch (SerializationException e) {
        return null;
      }
    };
  }

  /**
   * The findings as text: counts, then each problem with examples, then the replayed ledger.
   *
   * @param f the findings
   * @return lines of text
   */
  public static String text(LedgerReplay.Findings f) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "tasks %d: consensus %s, dead-lettered instead %d, pending %d; votes %d; settlements %d%n",
            f.tasks(), f.decisions(), f.deadLettered(), f.pending(), f.votes(), f.settlements()));
    if (f.duplicateConsensus() > 0 || f.duplicateSettlements() > 0) {
      sb.append(
          String.format(
              "repeated after a failure, ignored: %d consensus record(s) agreeing with their task's first, %d settlement(s) of a task and peer already settled%n",
              f.duplicateConsensus(), f.duplicateSettlements()));
    }
    if (f.consistent()) {
      sb.append(
          "consistent: every task explained, no vote counted twice, the published ledger equals the replay\n");
    } else {
      for (Map.Entry<String, Long> e : f.problems().entrySet()) {
        sb.append(String.format("PROBLEM %s: %d%n", e.getKey(), e.getValue()));
        for (String ex : f.examples().getOrDefault(e.getKey(), List.of())) {
          sb.append("  ").append(ex).append('\n');
        }
      }
    }
    sb.append(
        String.format(
            "%-20s %8s %8s %8s %9s %7s %7s %7s %7s%n",
            "peer",
            "score",
            "stake",
            "agreed",
            "disagreed",
            "late",
            "missed",
            "invalid",
            "failed/audited"));
    for (Reputation r : f.ledger().values()) {
      sb.append(
          String.format(
              "%-20s %8.4f %8.2f %8d %9d %7d %7d %7d %3d/%-3d%n",
              r.peerId(),
              r.score(),
              r.stake(),
              r.agreed(),
              r.disagreed(),
              r.late(),
              r.missed(),
              r.invalid(),
              r.auditFailed(),
              r.audited()));
    }
    return sb.toString();
  }
}
