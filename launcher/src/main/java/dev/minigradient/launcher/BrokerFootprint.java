package dev.minigradient.launcher;

import dev.minigradient.protocol.KafkaSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.common.TopicPartition;

/**
 * What a run wrote to the broker, per topic: records (the sum of the partitions' end offsets, so
 * compaction does not hide a write) and bytes on disk (the replicas' log sizes, batch headers
 * included), read before and after the run ({@link #take}) and divided by the tasks it decided
 * ({@link #perTask}). Kafka's internal topics ({@code __consumer_offsets}, {@code
 * __transaction_state}) count too, apart: a committed offset is a record the broker writes.
 */
final class BrokerFootprint {
  /** One topic's writes: records and bytes. */
  record Writes(long records, long bytes) {
    Writes minus(Writes o) {
      return new Writes(records - o.records, bytes - o.bytes);
    }
  }

  private final Map<String, Writes> byTopic;

  private BrokerFootprint(Map<String, Writes> byTopic) {
    this.byTopic = byTopic;
  }

  /**
   * Reads every topic's end offsets and log sizes now.
   *
   * @param kafka the cluster
   * @return the reading
   * @throws IllegalStateException if the cluster does not answer within 30 s
   */
  static BrokerFootprint take(KafkaSettings kafka) {
    try (Admin admin = Admin.create(kafka.properties(Map.of()))) {
      Set<String> topics =
          admin
              .listTopics(new ListTopicsOptions().listInternal(true))
              .names()
              .get(30, TimeUnit.SECONDS);
      Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
      for (var d :
          admin.describeTopics(topics).allTopicNames().get(30, TimeUnit.SECONDS).values()) {
        d.partitions()
            .forEach(
                p -> ends.put(new TopicPartition(d.name(), p.partition()), OffsetSpec.latest()));
      }
      Map<String, Long> records = new TreeMap<>();
      admin
          .listOffsets(ends)
          .all()
          .get(30, TimeUnit.SECONDS)
          .forEach((tp, o) -> records.merge(tp.topic(), o.offset(), Long::sum));
      Map<String, Long> bytes = new HashMap<>();
      Set<Integer> brokers =
          admin.describeCluster().nodes().get(30, TimeUnit.SECONDS).stream()
              .map(n -> n.id())
              .collect(Collectors.toSet());
      for (var dirs :
          admin.describeLogDirs(brokers).allDescriptions().get(30, TimeUnit.SECONDS).values()) {
        for (var dir : dirs.values()) {
          for (Map.Entry<TopicPartition, ReplicaInfo> r : dir.replicaInfos().entrySet()) {
            bytes.merge(r.getKey().topic(), r.getValue().size(), Long::sum);
          }
        }
      }
      Map<String, Writes> out = new TreeMap<>();
      records.forEach((t, n) -> out.put(t, new Writes(n, bytes.getOrDefault(t, 0L))));
      return new BrokerFootprint(out);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("cannot read the topics' offsets and sizes: " + e, e);
    }
  }

  /**
   * The writes between {@code before} and this reading, per topic, divided by {@code tasks}; topics
   * with no writes are left out.
   *
   * @param before the earlier reading
   * @param tasks tasks decided in between, > 0
   * @return records and bytes per task by topic name, in name order
   */
  Map<String, double[]> perTask(BrokerFootprint before, long tasks) {
    Map<String, double[]> out = new TreeMap<>();
    byTopic.forEach(
        (topic, now) -> {
          Writes d = now.minus(before.byTopic.getOrDefault(topic, new Writes(0, 0)));
          if (d.records() > 0) {
            out.put(topic, new double[] {(double) d.records() / tasks, (double) d.bytes() / tasks});
          }
        });
    return out;
  }

  /** The most records per decided task the network may write: the records budget. */
  static final double RECORDS_BUDGET = 12;

  /**
   * The writes between {@code before} and this reading, as a report.
   *
   * @param before the earlier reading
   * @param tasks tasks decided in between, > 0
   * @param inputBytes a task's input, mean bytes
   * @return the report
   */
  Report report(BrokerFootprint before, long tasks, double inputBytes) {
    return new Report(perTask(before, tasks), tasks, inputBytes);
  }

  /**
   * Records and bytes per task, by topic.
   *
   * @param perTask {records, bytes} per task by topic
   * @param tasks tasks decided
   * @param inputBytes a task's input, mean bytes
   */
  record Report(Map<String, double[]> perTask, long tasks, double inputBytes) {
    /** Records per task on the network's topics (its own and its apps' changelogs). */
    double records() {
      return sum(0, false);
    }

    /** Bytes per task on the network's topics. */
    double bytes() {
      return sum(1, false);
    }

    /** Records per task on Kafka's internal topics (committed offsets, transaction markers). */
    double internalRecords() {
      return sum(0, true);
    }

    private double sum(int i, boolean internal) {
      return perTask.entrySet().stream()
          .filter(e -> isKafkaInternal(e.getKey()) == internal)
          .mapToDouble(e -> e.getValue()[i])
          .sum();
    }

    /**
     * The figures: records per task against the budget, bytes per task against the input's size.
     *
     * @param section the report section
     * @param run the run's name
     * @return the figures
     */
    List<BenchReport.Figure> figures(String section, String run) {
      return List.of(
          BenchReport.Figure.atMost(
              section,
              run + ": records written to the broker per task",
              records(),
              "records",
              "budget",
              RECORDS_BUDGET,
              1.0),
          BenchReport.Figure.atMost(
              section,
              run + ": bytes written to the broker per task",
              bytes(),
              "bytes",
              "the task's input (mean image)",
              inputBytes,
              Double.NaN));
    }

    /**
     * A note listing each topic's records and bytes per task.
     *
     * @param section the report section
     * @return the note
     */
    String note(String section) {
      StringBuilder b =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "%s: written to the broker per decided task (%d tasks; end offsets and log sizes before and after the run): "
                      + "%.2f records and %.0f bytes on the network's topics, plus %.2f records on Kafka's internal topics "
                      + "(committed offsets). By topic:",
                  section,
                  tasks,
                  records(),
                  bytes(),
                  internalRecords()));
      perTask.forEach(
          (topic, v) ->
              b.append(String.format(Locale.ROOT, " %s %.2f (%.0f B);", topic, v[0], v[1])));
      b.setLength(b.length() - 1);
      return b.append('.').toString();
    }
  }

  /**
   * Whether a topic is Kafka's own (consumer offsets, transactions) rather than one the network
   * writes: its records are the clients' commits.
   *
   * @param topic the name
   * @return true for {@code __consumer_offsets} and the other double-underscore topics
   */
  static boolean isKafkaInternal(String topic) {
    return topic.startsWith("__");
  }
}
