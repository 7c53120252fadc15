package dev.minigradient.api;

import dev.minigradient.protocol.KafkaSettings;
import dev.minigradient.protocol.Redundancy;
import dev.minigradient.protocol.Task;
import dev.minigradient.protocol.Topics;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes tasks submitted over HTTP to {@code inference.tasks}, as the task producer does: a
 * {@link Task} keyed by a new UUID, with the input's SHA-256 and submission time, through an
 * idempotent {@code acks=all} producer. The producer is created on first use.
 */
public final class TaskIntake implements AutoCloseable {
  /** Largest input accepted, bytes: {@link Task#MAX_INPUT_BYTES}. */
  public static final int MAX_INPUT_BYTES = Task.MAX_INPUT_BYTES;

  /** The requester id stamped on tasks submitted over HTTP. */
  public static final String REQUESTER = "metrics-api";

  private final KafkaSettings kafka;
  private final Duration sendTimeout;
  private Producer<String, Task> producer;
  private boolean closed;

  /**
   * Creates the intake.
   *
   * @param kafka Kafka settings
   * @param sendTimeout how long one submission may wait for the broker's acknowledgement
   */
  public TaskIntake(KafkaSettings kafka, Duration sendTimeout) {
    this.kafka = kafka;
    this.sendTimeout = sendTimeout;
  }

  /**
   * Creates the intake over a producer of its own (tests give Kafka's {@code MockProducer}).
   *
   * @param producer publishes the tasks; closed with the intake
   * @param sendTimeout how long one submission may wait for the acknowledgement
   */
  public TaskIntake(Producer<String, Task> producer, Duration sendTimeout) {
    this.kafka = null;
    this.sendTimeout = sendTimeout;
    this.producer = producer;
  }

  private synchronized Producer<String, Task> producer() {
    if (closed) {
      throw new IllegalStateException("closed");
    }
    if (producer == null) {
      producer =
          new KafkaProducer<>(
              kafka.properties(
                  Map.of(
                      ProducerConfig.ACKS_CONFIG, "all",
                      ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true",
                      ProducerConfig.LINGER_MS_CONFIG, "0",
                      ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
                          "1048576", // a task of the largest input fits: see Task.MAX_INPUT_BYTES
                      ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(sendTimeout.toMillis()))),
              new StringSerializer(),
              Topics.TASKS.valueSerde().serializer());
    }
    return producer;
  }

  /**
   * Publishes one task for the network's default redundancy and waits for the broker to acknowledge
   * it.
   *
   * @param modelId the model (SHA-256 of its ONNX file)
   * @param input the input bytes, 1..{@link #MAX_INPUT_BYTES}
   * @param contentType the input's media type, may be null
   * @param name a display name, may be null
   * @return the published task
   * @throws IllegalStateException if the broker did not acknowledge it in time
   */
  public Task submit(String modelId, byte[] input, String contentType, String name) {
    return submit(modelId, input, contentType, name, null);
  }

  /**
   * Publishes one task and waits for the broker to acknowledge it.
   *
   * @param modelId the model (SHA-256 of its ONNX file)
   * @param input the input bytes, 1..{@link #MAX_INPUT_BYTES}
   * @param contentType the input's media type, may be null
   * @param name a display name, may be null
   * @param redundancy committee seats the task asks for, {@link Redundancy#ALL}, or null for the
   *     network's default
   * @return the published task
   * @throws IllegalArgumentException if {@code redundancy} is not a valid redundancy
   * @throws IllegalStateException if the broker did not acknowledge it in time
   */
  public Task submit(
      String modelId, byte[] input, String contentType, String name, Integer redundancy) {
    Task task =
        Task.of(UUID.randomUUID().toString(), modelId, input, contentType, REQUESTER, name)
            .withRedundancy(redundancy);
    try {
      producer()
          .send(new ProducerRecord<>(Topics.TASKS.name(), task.taskId(), task))
          .get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
      return task;
    } catch (ExecutionException e) {
      throw new IllegalStateException(
          "the broker refused the task: " + e.getCause().getMessage(), e.getCause());
    } catch (TimeoutException | org.apache.kafka.common.errors.TimeoutException e) {
      throw new IllegalStateException(
          "the broker did not acknowledge the task within " + sendTimeout.toMillis() + " ms", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (producer != null) {
      producer.close(Duration.ofSeconds(5));
    }
  }
}
