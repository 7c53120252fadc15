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
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the network's topics where they are missing. */
public final class TopicAdmin {
  private TopicAdmin() {}

  /**
   * Creates every topic of {@link Topics#ALL} that does not exist yet; existing topics are left
   * as they are.
   *
   * @param kafka Kafka settings
   * @param partitions partitions per topic (tasks and votes must match: they are co-partitioned)
   * @param replicationFactor replication factor, or empty for the broker's default
   * @param timeout how long to wait for the cluster
   * @throws IllegalStateException if the cluster does not answer in time or refuses
   */
  public static void ensureTopics(
      KafkaSettings kafka, int partitions, Optional<Short> replicationFactor, Duration timeout) {
    List<NewTopic> topics = new ArrayList<>();
    for (Topic<?> t : Topics.ALL) {
      topics.add(new NewTopic(t.name(), Optional.of(partitions), replicationFactor).configs(t.configs()));
    }
    try (Admin admin =
        Admin.create(
            kafka.properties(
                Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis())))) {
      var result = admin.createTopics(topics);
      for (var e : result.values().entrySet()) {
        try {
          e.getValue().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException ex) {
          if (!(ex.getCause() instanceof TopicExistsException)) {
            throw new IllegalStateException("cannot create topic " + e.getKey() + ": " + ex.getCause().getMessage(), ex);
          }
        }
      }
    } catch (TimeoutException e) {
      throw new IllegalStateException("no Kafka broker answered at " + kafka.bootstrapServers() + " within " + timeout.toSeconds() + " s", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
