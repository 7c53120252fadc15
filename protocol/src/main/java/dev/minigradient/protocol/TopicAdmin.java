package dev.minigradient.protocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Creates the network's topics where they are missing. */
public final class TopicAdmin {
  private TopicAdmin() {}

  /**
   * Admin client timeouts that make a call fail within {@code timeout}: the default API timeout and
   * the request timeout together (Kafka refuses an API timeout below the request timeout).
   *
   * @param timeout the overall limit
   * @return admin client settings
   */
  public static Map<String, Object> adminTimeouts(Duration timeout) {
    int ms = (int) Math.max(1, timeout.toMillis());
    return Map.of(
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG,
        ms,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG,
        ms,
        "socket.connection.setup.timeout.max.ms",
        Math.min(ms, 2_000),
        AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG,
        500);
  }

  /**
   * A human message for a failed admin call: a timeout becomes "no Kafka broker answered".
   *
   * @param kafka the settings used
   * @param timeout the limit used
   * @param cause the failure
   * @return one line
   */
  public static String describeFailure(KafkaSettings kafka, Duration timeout, Throwable cause) {
    if (cause instanceof TimeoutException
        || cause instanceof org.apache.kafka.common.errors.TimeoutException) {
      return "no Kafka broker answered at "
          + kafka.bootstrapServers()
          + " within "
          + timeout.toSeconds()
          + " s";
    }
    return cause.getMessage();
  }

  /**
   * Creates every topic of {@link Topics#ALL} that does not exist yet; existing topics are left as
   * they are.
   *
   * @param kafka Kafka settings
   * @param partitions partitions per topic (tasks and votes must match: they are co-partitioned)
   * @param replicationFactor replication factor, or empty for the broker's default
   * @param timeout how long to wait for the cluster
   * @throws IllegalStateException if the cluster does not answer in time or refuses, or if the
   *     tasks and votes topics have different partition counts
   */
  public static void ensureTopics(
      KafkaSettings kafka, int partitions, Optional<Short> replicationFactor, Duration timeout) {
    List<NewTopic> topics = new ArrayList<>();
    for (Topic<?> t : Topics.ALL) {
      topics.add(
          new NewTopic(t.name(), Optional.of(partitions), replicationFactor).configs(t.configs()));
    }
    try (Admin admin = Admin.create(kafka.properties(adminTimeouts(timeout)))) {
      var result = admin.createTopics(topics);
      for (var e : result.values().entrySet()) {
        try {
          e.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException ex) {
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException(
                "cannot create topic "
                    + e.getKey()
                    + ": "
                    + describeFailure(kafka, timeout, ex.getCause()),
                ex);
          }
        }
      }
      // Tasks and votes meet in one Streams task only if they have the same partition count.
      long deadline = System.currentTimeMillis() + timeout.toMillis();
      Map<String, TopicDescription> described;
      while (true) {
        try {
          described =
              admin
                  .describeTopics(List.of(Topics.TASKS.name(), Topics.VOTES.name()))
                  .allTopicNames()
                  .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
          break;
        } catch (ExecutionException ex) {
          // a topic created a moment ago may not have reached the metadata of every broker yet
          if (!(ex.getCause() instanceof UnknownTopicOrPartitionException)
              || System.currentTimeMillis() > deadline) {
            throw ex;
          }
          Thread.sleep(100);
        }
      }
      int taskPartitions = described.get(Topics.TASKS.name()).partitions().size();
      int votePartitions = described.get(Topics.VOTES.name()).partitions().size();
      if (taskPartitions != votePartitions) {
        throw new IllegalStateException(
            Topics.TASKS.name()
                + " has "
                + taskPartitions
                + " partitions but "
                + Topics.VOTES.name()
                + " has "
                + votePartitions
                + ": they must be co-partitioned (same count)");
      }
    } catch (ExecutionException e) {
      throw new IllegalStateException(describeFailure(kafka, timeout, e.getCause()), e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(describeFailure(kafka, timeout, e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
