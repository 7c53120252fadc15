package dev.minigradient.protocol.testing;

import java.util.Locale;
import java.util.function.BooleanSupplier;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Kafka an integration test runs against, chosen by one switch: the system property {@code
 * kafka} ({@code -Dkafka=embedded|testcontainers|auto}, default {@code auto}). {@code auto} starts
 * a Testcontainers {@code apache/kafka} broker when a Docker engine answers and otherwise leaves
 * the test to its in-JVM broker; {@code testcontainers} fails without an engine rather than fall
 * back. One instance per test class, as the in-JVM broker is: no topics or groups are shared.
 */
public final class TestKafka implements AutoCloseable {
  /** The system property that chooses. */
  public static final String PROPERTY = "kafka";

  /** The broker image, the one {@code docker-compose.yml} runs. */
  public static final String IMAGE = "apache/kafka:4.1.0";

  /** Where the tests' Kafka runs. */
  public enum Kind {
    /** In this JVM (Kafka's own test kit), started by the test. */
    EMBEDDED,
    /** In a Docker container (Testcontainers' Kafka module). */
    TESTCONTAINERS
  }

  private static Boolean dockerAvailable;

  private final KafkaContainer container;

  private TestKafka(KafkaContainer container) {
    this.container = container;
  }

  /**
   * Starts the chosen Kafka: a container, or nothing when the test's in-JVM broker is chosen.
   *
   * @return the handle; close it after the test class
   */
  public static TestKafka start() {
    if (chosen() == Kind.EMBEDDED) {
      System.err.println(
          "TestKafka: in-JVM broker (-D"
              + PROPERTY
              + "="
              + System.getProperty(PROPERTY, "auto")
              + ")");
      return new TestKafka(null);
    }
    KafkaContainer c =
        new KafkaContainer(DockerImageName.parse(IMAGE))
            // as the in-JVM broker and the compose file: topics are created, never implied
            .withEnv("KAFKA_AUTO_CREATE_TOPICS_ENABLE", "false");
    c.start();
    System.err.println("TestKafka: " + IMAGE + " in a container at " + c.getBootstrapServers());
    return new TestKafka(c);
  }

  /**
   * The kind {@code -Dkafka} and this machine choose.
   *
   * @return {@link Kind#TESTCONTAINERS} or {@link Kind#EMBEDDED}
   * @throws IllegalStateException for {@code testcontainers} without a Docker engine, or an unknown
   *     value
   */
  public static Kind chosen() {
    return choose(System.getProperty(PROPERTY, "auto"), TestKafka::dockerAvailable);
  }

  /**
   * The choice for a value of {@code -Dkafka}.
   *
   * @param value {@code embedded}, {@code testcontainers} or {@code auto} (any case; blank is auto)
   * @param docker whether a Docker engine answers; asked only when it matters
   * @return the kind
   * @throws IllegalStateException for {@code testcontainers} without an engine, or an unknown value
   */
  public static Kind choose(String value, BooleanSupplier docker) {
    String v = value == null || value.isBlank() ? "auto" : value.strip().toLowerCase(Locale.ROOT);
    switch (v) {
      case "embedded":
        return Kind.EMBEDDED;
      case "testcontainers":
        if (!docker.getAsBoolean()) {
          throw new IllegalStateException(
              "-D" + PROPERTY + "=testcontainers, but no Docker engine answers");
        }
        return Kind.TESTCONTAINERS;
      case "auto":
        return docker.getAsBoolean() ? Kind.TESTCONTAINERS : Kind.EMBEDDED;
      default:
        throw new IllegalStateException(
            "-D" + PROPERTY + " must be embedded, testcontainers or auto, got: " + value);
    }
  }

  private static synchronized boolean dockerAvailable() {
    if (dockerAvailable == null) {
      boolean available;
      try {
        available = DockerClientFactory.instance().isDockerAvailable();
      } catch (RuntimeException | LinkageError e) {
        available = false;
      }
      dockerAvailable = available;
    }
    return dockerAvailable;
  }

  /**
   * Where this Kafka runs.
   *
   * @return the kind
   */
  public Kind kind() {
    return container == null ? Kind.EMBEDDED : Kind.TESTCONTAINERS;
  }

  /**
   * The container broker's bootstrap servers, or null: the test starts its in-JVM broker (as {@code
   * EmbeddedNetwork.Options} reads a null cluster).
   *
   * @return host:port, or null
   */
  public String bootstrapServers() {
    return container == null ? null : container.getBootstrapServers();
  }

  /** Stops the container, if one runs. */
  @Override
  public void close() {
    if (container != null) {
      container.stop();
    }
  }
}
